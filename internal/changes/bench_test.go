package changes_test

import (
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/changes/benchrepo"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
)

// The benchmarks share one generated repository of 100,000 files with a
// change of 10,000, made once per run (it takes a few seconds).
var (
	benchOnce sync.Once
	benchRepo benchrepo.Repo
	benchErr  error
	benchDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func mkdirTemp() (string, error) { return os.MkdirTemp("", "mlci-bench-changes-") }

func generated(b *testing.B) benchrepo.Repo {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = mkdirTemp()
		if benchErr == nil {
			benchRepo, benchErr = benchrepo.Make(b.Context(), benchDir,
				benchrepo.Spec{Files: 100_000, Changed: 10_000})
		}
	})
	require.NoError(b, benchErr)
	return benchRepo
}

// benchConfig is the configuration of benchrepo.DVCYAML.
func benchConfig() *config.Config {
	stage := func(name string, deps []string, out string, keys ...string) *config.Stage {
		s := &config.Stage{Name: name, Deps: deps, Outs: []config.Out{{Path: out}}}
		if len(keys) > 0 {
			s.Params = []config.ParamRef{{File: "params.yaml", Keys: keys}}
		}
		return s
	}
	return &config.Config{
		PipelineFile: "dvc.yaml",
		LockFile:     "dvc.lock",
		Tests:        []config.Test{{Name: "unit"}},
		Stages: []*config.Stage{
			stage("prepare", []string{"data/raw", "src/pkg00"}, "data/prepared"),
			stage("featurize", []string{"data/prepared", "src/pkg01"}, "data/features",
				"featurize.n"),
			stage("train", []string{"data/features", "src/pkg02"}, "models/model.pkl",
				"train.lr", "train.epochs"),
			stage("evaluate", []string{"models/model.pkl", "src/pkg03"}, "eval/metrics.json"),
		},
	}
}

// BenchmarkDetect measures Detect on 10,000 changed files of 100,000;
// BenchmarkGitDiff is git's own time on the same commits, for comparison.
func BenchmarkDetect(b *testing.B) {
	r := generated(b)
	opts := changes.Options{Repo: git.Repo{Dir: r.Dir}, Config: benchConfig(), Base: r.Base,
		Head: r.Head}
	b.ReportAllocs()
	for b.Loop() {
		res, err := changes.Detect(b.Context(), opts)
		require.NoError(b, err)
		require.Len(b, res.Stages, 4)
	}
}

func BenchmarkGitDiff(b *testing.B) {
	r := generated(b)
	for b.Loop() {
		cmd := exec.CommandContext(b.Context(), "git", "-C", r.Dir, "diff", "--name-status",
			r.Base, r.Head)
		require.NoError(b, cmd.Run())
	}
}

func BenchmarkClassify(b *testing.B) {
	c, err := changes.NewClassifier(nil)
	require.NoError(b, err)
	paths := make([]string, 10_000)
	for i := range paths {
		paths[i] = benchrepo.Path(i * 10)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			_ = c.Classify(p)
		}
	}
}
