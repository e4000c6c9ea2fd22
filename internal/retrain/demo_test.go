package retrain_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/progress"
)

// TestDemoRetrain plays `mlci demo --retrain`: a quiet scheduled run, then
// new data that retrains a model which passes against production.
func TestDemoRetrain(t *testing.T) {
	t.Parallel()
	var md, status bytes.Buffer

	out, err := demo.Retrain(t.Context(), demo.Options{
		Dir: t.TempDir(), Version: "test", Report: &md,
		Printer: progress.New(&status, progress.Plain),
	})

	require.NoError(t, err, status.String())
	assert.Contains(t, status.String(), "data unchanged since v0.1.0, drift 0.00 below 0.10")
	assert.Contains(t, status.String(), ": no retraining\n")
	assert.True(t, out.Fired)
	assert.True(t, out.Passed, out.Summary)
	assert.Equal(t, "mlci/retrain/churn", out.Branch)
	assert.NotEmpty(t, out.Commit)
	assert.Contains(t, status.String(), "in CI mlci would push it and open a pull request")
	assert.Contains(t, md.String(), "retrained churn may be promoted")
	assert.Contains(t, md.String(), "data/raw/customers.csv changed since v0.1.0")
	assert.FileExists(t, out.Files["report.html"])
}
