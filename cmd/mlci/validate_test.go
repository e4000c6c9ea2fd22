package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

// gatedRepo is a repository whose main branch holds a model's metrics and
// whose checked-out branch changes them to metricsJSON.
func gatedRepo(t *testing.T, metricsJSON string) string {
	t.Helper()
	repo := gittest.New(t)
	repo.CommitFiles("baseline", map[string]string{
		"dvc.yaml": "stages:\n  evaluate:\n    cmd: \"true\"\n    params: [train.lr]\n" +
			"    metrics:\n      - eval/metrics.json:\n          cache: false\n",
		"params.yaml":       "train:\n  lr: 0.1\n  epochs: 3\n",
		"eval/metrics.json": `{"accuracy": 0.84, "log_loss": 0.33}`,
		"mlci.yaml": "pipeline: dvc.yaml\nmodels:\n  churn:\n    path: model.pkl\n" +
			"    metrics: eval/metrics.json\n    gates:\n      - metric: accuracy\n" +
			"        min: 0.8\n        max_drop: 0.02\n      - metric: log_loss\n" +
			"        max_rise: 0.05\n",
	})
	repo.Git("checkout", "--quiet", "-b", "feature")
	repo.Write(map[string]string{"eval/metrics.json": metricsJSON,
		"params.yaml": "train:\n  lr: 0.05\n  epochs: 3\n"})
	return repo.Dir
}

// mlci runs the command line with args and returns what it printed and its
// exit code.
func mlci(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut, func(string) string { return "" })
	return out.String(), errOut.String(), code
}

func TestValidateCommand(t *testing.T) {
	t.Parallel()
	dir := gatedRepo(t, `{"accuracy": 0.85, "log_loss": 0.34}`)

	stdout, stderr, code := mlci(t, "-C", dir, "validate")
	require.Equal(t, exit.OK, code, stderr)
	assert.Contains(t, stdout, "ok    churn  accuracy: ≥ 0.8 and no drop over 0.02")
	assert.Contains(t, stdout, "verdict: passed against baseline main@")

	data, err := os.ReadFile(filepath.Join(dir, ".mlci", "reports", "verdict.json"))
	require.NoError(t, err)
	var v struct {
		Passed bool `json:"passed"`
		Gates  []struct {
			Model, Metric, Rule string
			Base, Head          float64
			Passed              bool
		} `json:"gates"`
	}
	require.NoError(t, json.Unmarshal(data, &v))
	assert.True(t, v.Passed)
	require.Len(t, v.Gates, 2)
	assert.InDelta(t, 0.84, v.Gates[0].Base, 0)
	assert.InDelta(t, 0.85, v.Gates[0].Head, 0)
	_, err = os.Stat(filepath.Join(dir, ".mlci", "reports", "gates.xml"))
	require.NoError(t, err)
}

func TestValidateCommandFails(t *testing.T) {
	t.Parallel()
	dir := gatedRepo(t, `{"accuracy": 0.79, "log_loss": 0.34}`)
	junit := filepath.Join(t.TempDir(), "gates.xml")

	stdout, stderr, code := mlci(t, "-C", dir, "validate", "--format", "json", "--junit", junit,
		"--verdict", "")
	assert.Equal(t, exit.Failed, code)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, `"passed": false`)
	assert.Contains(t, stdout,
		"0.79 is below the minimum 0.8; dropped 0.05 (0.84 → 0.79), more than 0.02")
	assert.FileExists(t, junit)
	assert.NoFileExists(t, filepath.Join(dir, ".mlci", "reports", "verdict.json"))
}

func TestDiffCommand(t *testing.T) {
	t.Parallel()
	dir := gatedRepo(t, `{"accuracy": 0.85, "log_loss": 0.33}`)

	stdout, stderr, code := mlci(t, "-C", dir, "diff", "--format", "json")
	require.Equal(t, exit.OK, code, stderr)
	var c struct {
		Metrics []struct {
			Key                string
			Base, Head, Change float64
		} `json:"metrics"`
		Params []struct {
			Key        string
			Base, Head any
		} `json:"params"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &c))
	require.Len(t, c.Metrics, 1, "only what changed")
	assert.Equal(t, "accuracy", c.Metrics[0].Key)
	assert.InDelta(t, 0.01, c.Metrics[0].Change, 1e-12)
	require.Len(t, c.Params, 1)
	assert.Equal(t, "train.lr", c.Params[0].Key)

	stdout, _, code = mlci(t, "-C", dir, "diff", "--all")
	require.Equal(t, exit.OK, code)
	assert.Contains(t, stdout, "eval/metrics.json  log_loss  0.3300    0.3300     0.0000")

	_, stderr, code = mlci(t, "-C", dir, "diff", "--base", "nope")
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, `unknown revision "nope"`)
}

func TestValidateAgainstARegistryStage(t *testing.T) {
	t.Parallel()
	dir := gatedRepo(t, `{"accuracy": 0.85, "log_loss": 0.34}`)
	for _, tag := range []string{"churn@v0.1.0", "churn#production#1"} {
		cmd := exec.CommandContext(t.Context(), "git", "tag", "-a", "-m", "GTO", tag, "main")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}

	stdout, stderr, code := mlci(t, "-C", dir, "validate", "--baseline", "production")
	require.Equal(t, exit.OK, code, stderr)
	assert.Contains(t, stdout, "verdict: passed against baseline production churn@v0.1.0@")

	_, stderr, code = mlci(t, "-C", dir, "validate", "--baseline", "staging")
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, `no version in stage "staging" of churn `+
		"(stages that hold one: production)")
}
