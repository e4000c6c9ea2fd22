package gitlab

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform"
)

// BenchmarkPublish updates the report note found on the third page of a
// merge request's 250 notes and sets the commit status, against the fake.
func BenchmarkPublish(b *testing.B) {
	f := newFake(b)
	f.pageSize = 100
	f.seed("7", 249)
	c, _ := newTestClient(b, mrEnv(f, b.TempDir()))
	ev, err := c.Event(b.Context())
	require.NoError(b, err)
	states := []platform.State{platform.Success, platform.Failure}

	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := testReport("run "+strconv.Itoa(i), states[i%2])
		require.NoError(b, c.Publish(b.Context(), ev, r))
	}
}

func BenchmarkWriteMetrics(b *testing.B) {
	metrics := make([]Metric, 1000)
	for i := range metrics {
		metrics[i] = Metric{Name: "metric." + strconv.Itoa(i), Value: float64(i) / 7,
			Labels: map[string]string{"model": "churn", "file": "eval/metrics.json"}}
	}
	path := filepath.Join(b.TempDir(), "metrics.txt")

	b.ReportAllocs()
	for b.Loop() {
		require.NoError(b, WriteMetrics(path, metrics))
	}
}

func BenchmarkWriteDotenv(b *testing.B) {
	vars := map[string]string{}
	for i := range MaxDotenvVars {
		vars["MLCI_VAR_"+strconv.Itoa(i)] = "value " + strconv.Itoa(i)
	}
	path := filepath.Join(b.TempDir(), "mlci.env")

	b.ReportAllocs()
	for b.Loop() {
		require.NoError(b, WriteDotenv(path, vars))
	}
}
