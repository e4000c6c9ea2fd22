package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/remote/s3test"
)

// predictionsCSV writes n predictions right with probability skill.
func predictionsCSV(n int, skill float64) string {
	r := rand.New(rand.NewPCG(9, uint64(skill*100)))
	var b strings.Builder
	b.WriteString("id,label,prediction\n")
	for i := range n {
		y := i % 2
		pred := y
		if r.Float64() >= skill {
			pred = 1 - y
		}
		fmt.Fprintf(&b, "%d,%d,%d\n", i, y, pred)
	}
	return b.String()
}

// TestValidateFetchesTheBaselineFromTheRemoteCache runs validate on a fresh
// clone, as a CI runner does: the baseline's predictions are a cached output
// that only the remote cache holds.
func TestValidateFetchesTheBaselineFromTheRemoteCache(t *testing.T) {
	t.Parallel()
	srv, err := s3test.Start(t.TempDir())
	if errors.Is(err, s3test.ErrNoBinary) {
		t.Skip("versitygw is not installed; scripts/versitygw.sh install")
	}
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	bucket, err := srv.Bucket(t.Context())
	require.NoError(t, err)
	env := srv.Env()

	repo := gittest.New(t)
	repo.CommitFiles("pipeline", map[string]string{
		"dvc.yaml": "stages:\n  predict:\n    cmd: cp preds/${model.version}.csv " +
			"eval/predictions.csv\n    deps: [preds]\n    params: [model.version]\n" +
			"    outs: [eval/predictions.csv]\n",
		"params.yaml":    "model:\n  version: base\n",
		"preds/base.csv": predictionsCSV(2000, 0.7),
		"preds/head.csv": predictionsCSV(2000, 0.8),
		".gitignore":     "eval/predictions.csv\n.mlci/\n",
		"mlci.yaml": "remote: s3://" + bucket + "/cache\nmodels:\n  churn:\n" +
			"    path: eval/predictions.csv\n    predictions: eval/predictions.csv\n" +
			"    gates:\n      - metric: accuracy\n        significance: 0.05\n",
	})
	_, stderr, code := mlciEnv(t, env, "-C", repo.Dir, "run")
	require.Equal(t, exit.OK, code, stderr)
	_, stderr, code = mlciEnv(t, env, "-C", repo.Dir, "push")
	require.Equal(t, exit.OK, code, stderr)
	repo.Commit("trained")

	runner := repo.Clone()
	runner.Git("checkout", "--quiet", "-b", "better")
	runner.CommitFiles("a better model",
		map[string]string{"params.yaml": "model:\n  version: head\n"})
	_, stderr, code = mlciEnv(t, env, "-C", runner.Dir, "run")
	require.Equal(t, exit.OK, code, stderr)

	stdout, stderr, code := mlciEnv(t, env, "-C", runner.Dir, "validate", "--resamples", "500")
	require.Equal(t, exit.OK, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "ok    churn  accuracy: better than the baseline at 95%")
	assert.Regexp(t, `baseline 0\.\d+  candidate 0\.\d+`, stdout)
	assert.NotContains(t, stdout, "significance not tested")
}
