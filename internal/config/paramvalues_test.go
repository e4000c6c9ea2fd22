package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamValues(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"dvc.yaml": `stages:
  prepare:
    cmd: python prepare.py
    params: [prepare.split]
  train:
    cmd: python train.py
    params:
      - train.lr
      - tune.yaml:
          - search.trials
`,
		"params.yaml": "prepare:\n  split: 0.2\ntrain:\n  lr: 0.1\n",
		"tune.yaml":   "search:\n  trials: 20\n",
	})
	cfg, err := Load(root, "")
	require.NoError(t, err)

	got, err := cfg.ParamValues()
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"prepare.split":           0.2,
		"train.lr":                0.1,
		"tune.yaml:search.trials": 20,
	}, got)

	require.NoError(t, os.WriteFile(filepath.Join(root, "tune.yaml"), []byte("search: [\n"), 0o644))
	got, err = cfg.ParamValues()
	require.Error(t, err, "an unreadable file is an error")
	assert.Contains(t, err.Error(), "tune.yaml")
	assert.Equal(t, 0.1, got["train.lr"], "the other files' values are kept")
	assert.NotContains(t, got, "tune.yaml:search.trials")
}
