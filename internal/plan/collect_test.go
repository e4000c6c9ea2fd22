package plan_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/plan"
	"github.com/mlci-dev/mlci/internal/remote"
	"github.com/mlci-dev/mlci/internal/remote/s3test"
)

// runner is one CI job's machine: a fresh copy of the example project
// with a cache of its own and the shared remote.
type runner struct {
	root string
	p    *pipeline.Pipeline
}

func newRunner(t *testing.T, s *s3test.Server, bucket string) *runner {
	t.Helper()
	root := filepath.Join(t.TempDir(), "example")
	require.NoError(t, os.CopyFS(root, os.DirFS(filepath.Join("..", "..", "testdata", "example"))))
	require.NoError(t, os.RemoveAll(filepath.Join(root, "dvc.lock")))
	cfg, err := config.Load(root, "")
	require.NoError(t, err)
	cfg.Remote = config.Remote{URL: "s3://" + bucket + "/cache"}

	env := s.Env()
	rem, err := remote.Open(cfg.Remote, remote.Options{Getenv: func(k string) string {
		return env[k]
	}})
	require.NoError(t, err)
	p, err := pipeline.New(cfg, pipeline.Options{Remote: rem})
	require.NoError(t, err)
	return &runner{root: root, p: p}
}

func (r *runner) read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.root, path))
	require.NoError(t, err)
	return string(b)
}

func startServer(t *testing.T) *s3test.Server {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	s, err := s3test.Start(t.TempDir())
	if errors.Is(err, s3test.ErrNoBinary) {
		t.Skip("versitygw is not installed; scripts/versitygw.sh install")
	}
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestStagePerJob runs the example's plan one stage per job, each on a
// runner of its own, collects the results in a last job, and then has a
// pull request whose inputs equal main's restore everything.
func TestStagePerJob(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	bucket, err := s.Bucket(t.Context())
	require.NoError(t, err)
	p, err := plan.New(example(t), []string{"prepare", "featurize", "train", "evaluate"})
	require.NoError(t, err)

	model := ""
	for _, job := range p.Jobs() {
		r := newRunner(t, s, bucket)
		res, err := r.p.Run(t.Context(), pipeline.RunOptions{Stages: []string{job.Stage},
			Only: true})
		require.NoError(t, err, "job %s", job.Stage)
		got := results(res)
		assert.Equal(t, pipeline.Ran, got[job.Stage], "job %s", job.Stage)
		for name, result := range got {
			if name != job.Stage {
				assert.Equal(t, pipeline.Restored, result, "job %s restores %s", job.Stage, name)
			}
		}
		if job.Stage == "train" {
			model = r.read(t, "models/model.json")
		}
	}

	last := newRunner(t, s, bucket)
	res, err := plan.Collect(t.Context(), last.p, p.Stages(), nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prepare": "restored", "featurize": "restored",
		"train": "restored", "evaluate": "restored"}, results(res))
	assert.Equal(t, model, last.read(t, "models/model.json"))
	st, err := last.p.Status(t.Context())
	require.NoError(t, err)
	for _, s := range st {
		assert.Equal(t, pipeline.UpToDate, s.State, "%s: %v", s.Name, s.Reasons)
	}

	pr := newRunner(t, s, bucket)
	res, err = pr.p.Run(t.Context(), pipeline.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prepare": "restored", "featurize": "restored",
		"train": "restored", "evaluate": "restored"}, results(res),
		"inputs equal main's: nothing trains again")
}

// TestStageJobBeforeItsUpstream fails clearly when a job runs before the
// job of a stage it needs has pushed anything.
func TestStageJobBeforeItsUpstream(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	bucket, err := s.Bucket(t.Context())
	require.NoError(t, err)
	r := newRunner(t, s, bucket)

	res, err := r.p.Run(t.Context(), pipeline.RunOptions{Stages: []string{"train"}, Only: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stage prepare failed: it does not run here")
	assert.Contains(t, err.Error(), "the job that runs it must succeed first")
	assert.Equal(t, map[string]string{"prepare": "failed", "featurize": "skipped",
		"train": "skipped"}, results(res))
	assert.NoFileExists(t, filepath.Join(r.root, "data", "prepared"))
}

func results(res *pipeline.RunResult) map[string]string {
	out := map[string]string{}
	for _, s := range res.Stages {
		out[s.Name] = s.Result
	}
	return out
}
