package pipeline_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/pipeline"
)

// TestExample runs the bundled example project from its own configuration.
func TestExample(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	root := filepath.Join(t.TempDir(), "example")
	require.NoError(t, os.CopyFS(root, os.DirFS(filepath.Join("..", "..", "testdata", "example"))))
	require.NoError(t, os.RemoveAll(filepath.Join(root, "dvc.lock")))
	cfg, err := config.Load(root, "")
	require.NoError(t, err)
	p, err := pipeline.New(cfg, pipeline.Options{})
	require.NoError(t, err)

	res, err := p.Run(t.Context(), pipeline.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prepare": "ran", "featurize": "ran", "train": "ran",
		"evaluate": "ran"}, results(res))

	st, err := p.Status(t.Context())
	require.NoError(t, err)
	for _, s := range st {
		assert.Equal(t, pipeline.UpToDate, s.State, "%s: %v", s.Name, s.Reasons)
	}

	require.NoError(t, os.Remove(filepath.Join(root, "models", "model.json")))
	res, err = p.Run(t.Context(), pipeline.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prepare": "skipped", "featurize": "skipped",
		"train": "restored", "evaluate": "skipped"}, results(res))

	tr, err := p.Test(t.Context(), cfg.Tests, "")
	require.NoError(t, err)
	assert.Equal(t, 0, tr.Failed)
}
