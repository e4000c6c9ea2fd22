package serve

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

// example copies the bundled example project, so that its server's byte
// code is not written into the source tree.
func example(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.CopyFS(root, os.DirFS(filepath.Join("..", "..", "testdata", "example"))))
	t.Cleanup(func() { assert.Empty(t, processesIn(root), "processes left running") })
	return root
}

// TestExample runs the serving check of the example's churn model as its
// mlci.yaml configures it, against a baseline served from a second copy:
// every served score equals eval/predictions.csv within 1e-6.
func TestExample(t *testing.T) {
	t.Parallel()
	head, base := example(t), example(t)
	cfg, err := config.Load(head, "")
	require.NoError(t, err)
	var m *config.Model
	for _, model := range cfg.Models {
		if model.Name == "churn" {
			m = model
		}
	}
	require.NotNil(t, m)
	require.NotNil(t, m.Serve)
	m.Serve.Requests = 100

	res := check(t, Options{Root: head, BaseRoot: base, Model: m})

	assert.Equal(t, 743, res.Checked)
	assert.Empty(t, res.Mismatches)
	assert.Equal(t, "eval/predictions.csv (score)", res.Compared)
	require.NotNil(t, res.Baseline)
	assert.Equal(t, 100, res.Candidate.Requests)
	assert.Equal(t, 100, res.Baseline.Requests)
	assert.Zero(t, res.Candidate.Errors)
	for _, g := range res.Gates[:3] {
		assert.True(t, g.Passed, "%s: %s", g.Metric, g.Message)
	}
	assert.Len(t, res.Gates, 3+len(m.Serve.Gates))
}
