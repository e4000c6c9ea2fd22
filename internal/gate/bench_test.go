package gate

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

// BenchmarkSignificance evaluates a significance gate on 100,000 paired
// predictions with 10,000 resamples: the work `mlci validate` does per gate.
func BenchmarkSignificance(b *testing.B) {
	base, head := testSet(b, "b.csv", 100_000, 0.9), testSet(b, "h.csv", 100_000, 0.95)
	for _, metric := range []string{"accuracy", "roc_auc", "log_loss"} {
		m := model(config.Gate{Metric: metric, Significance: f(0.05)})
		b.Run(metric, func(b *testing.B) {
			for b.Loop() {
				r := Evaluate(m, noMetrics, noMetrics, &Predictions{Base: base, Head: head})
				require.NotNil(b, r[0].Significance)
			}
		})
	}
}
