package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/exit"
)

// TestServeCheckRestoresTheBaselineModel serves the example's model beside
// the baseline's. The model is a cached output, not in git, so the
// baseline's worktree gets it from the cache; without it the baseline's
// service could not start.
func TestServeCheckRestoresTheBaselineModel(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "repo")
	_, err := demo.Create(t.Context(), dir)
	require.NoError(t, err)
	_, stderr, code := mlci(t, "-C", dir, "run")
	require.Equal(t, exit.OK, code, stderr)

	stdout, stderr, code := mlci(t, "-C", dir, "--format", "json", "serve-check", "--base",
		"HEAD", "--requests", "20")

	require.Equal(t, exit.OK, code, stderr)
	var res struct {
		Baseline *struct {
			Requests int `json:"requests"`
		} `json:"baseline"`
		Passed bool `json:"passed"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
	require.NotNil(t, res.Baseline, "the baseline's service ran: %s", stderr)
	assert.Equal(t, 20, res.Baseline.Requests)
	assert.True(t, res.Passed)
}
