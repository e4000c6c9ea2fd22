package pipeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
	"github.com/mlci-dev/mlci/internal/progress"
)

func write(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func read(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// newRepo makes a repository whose stages log each run to runs.log.
func newRepo(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "data", "raw.csv"), "id,x\n1,2\n")
	write(t, filepath.Join(root, "other.txt"), "other\n")
	write(t, filepath.Join(root, "params.yaml"), "prepare:\n  seed: 7\ntrain:\n  lr: 0.1\n")
	return root
}

// stages is prepare → train → evaluate, and other beside them.
func stages() []*config.Stage {
	return []*config.Stage{
		{
			Name: "prepare",
			Cmd: []string{"mkdir -p data/prepared", "cp data/raw.csv data/prepared/train.csv",
				"echo prepare >> runs.log"},
			Deps:   []string{"data/raw.csv"},
			Outs:   []config.Out{{Path: "data/prepared", Cache: true}},
			Params: []config.ParamRef{{File: "params.yaml", Keys: []string{"prepare.seed"}}},
		},
		{
			Name: "train",
			Cmd: []string{"cat data/prepared/train.csv > model.txt && grep lr params.yaml >> " +
				"model.txt && echo train >> runs.log"},
			Deps:   []string{"data/prepared"},
			Outs:   []config.Out{{Path: "model.txt", Cache: true}},
			Params: []config.ParamRef{{File: "params.yaml", Keys: []string{"train.lr"}}},
		},
		{
			Name:    "evaluate",
			Cmd:     []string{"wc -l < model.txt > metrics.json; echo evaluate >> runs.log"},
			Deps:    []string{"model.txt"},
			Metrics: []config.Out{{Path: "metrics.json", Cache: false}},
		},
		{
			Name: "other",
			Cmd:  []string{"cp other.txt other.out; echo other >> runs.log"},
			Deps: []string{"other.txt"},
			Outs: []config.Out{{Path: "other.out", Cache: true}},
		},
	}
}

func newPipeline(t testing.TB, root string, st []*config.Stage) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.New(&config.Config{Root: root, Stages: st}, pipeline.Options{})
	require.NoError(t, err)
	return p
}

func run(t testing.TB, p *pipeline.Pipeline, opts pipeline.RunOptions) map[string]string {
	t.Helper()
	res, err := p.Run(t.Context(), opts)
	require.NoError(t, err)
	return results(res)
}

func results(res *pipeline.RunResult) map[string]string {
	got := map[string]string{}
	for _, s := range res.Stages {
		got[s.Name] = s.Result
	}
	return got
}

// runs returns the stages that ran, from runs.log, and empties it.
func runs(t testing.TB, root string) []string {
	t.Helper()
	path := filepath.Join(root, "runs.log")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	got := strings.Fields(string(data))
	slices.Sort(got)
	return got
}

func TestRunFirstNoopAndChange(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())

	got := run(t, p, pipeline.RunOptions{})
	assert.Equal(t, map[string]string{"prepare": "ran", "train": "ran", "evaluate": "ran",
		"other": "ran"}, got)
	assert.Equal(t, []string{"evaluate", "other", "prepare", "train"}, runs(t, root))
	lf, err := lock.Read(filepath.Join(root, "dvc.lock"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"prepare", "train", "evaluate", "other"}, lf.Names())
	assert.Equal(t, "data/prepared", lf.Stage("prepare").Outs[0].Path)
	assert.Equal(t, 1, lf.Stage("prepare").Outs[0].NFiles)
	assert.Equal(t, 0.1, lf.Stage("train").Params[0].Values["train.lr"])

	got = run(t, p, pipeline.RunOptions{})
	assert.Equal(t, map[string]string{"prepare": "skipped", "train": "skipped",
		"evaluate": "skipped", "other": "skipped"}, got)
	assert.Empty(t, runs(t, root))

	write(t, filepath.Join(root, "params.yaml"), "prepare:\n  seed: 7\ntrain:\n  lr: 0.2\n")
	run(t, p, pipeline.RunOptions{})
	assert.Equal(t, []string{"evaluate", "train"}, runs(t, root), "exactly train's downstream")

	write(t, filepath.Join(root, "data", "raw.csv"), "id,x\n1,3\n")
	run(t, p, pipeline.RunOptions{})
	assert.Equal(t, []string{"evaluate", "prepare", "train"}, runs(t, root))
}

// TestPythonParams checks that a stage reading params from a Python module
// records their values and reruns when one changes, and only then.
func TestPythonParams(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	module := "import os\nSEED = 7\n\nclass Train:\n    lr = %s\n    epochs = 3\n"
	write(t, filepath.Join(root, "params.py"), fmt.Sprintf(module, "0.1"))
	st := stages()
	st[1].Params = []config.ParamRef{{File: "params.py", Keys: []string{"Train.lr", "SEED"}}}
	p := newPipeline(t, root, st)
	run(t, p, pipeline.RunOptions{})
	runs(t, root)
	lock, err := os.ReadFile(filepath.Join(root, "dvc.lock"))
	require.NoError(t, err)
	assert.Contains(t, string(lock), "      params.py:\n        SEED: 7\n        Train.lr: 0.1\n")

	write(t, filepath.Join(root, "params.py"), fmt.Sprintf(module, "0.1")+"# a comment\n")
	run(t, p, pipeline.RunOptions{})
	assert.Empty(t, runs(t, root), "a change that is not to a param the stage reads")

	write(t, filepath.Join(root, "params.py"), fmt.Sprintf(module, "0.05"))
	run(t, p, pipeline.RunOptions{})
	assert.Equal(t, []string{"train"}, runs(t, root),
		"train reruns; its model is the same, so evaluate does not")
}

func TestChangeBackRestoresFromRunCache(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())
	run(t, p, pipeline.RunOptions{})
	runs(t, root)

	write(t, filepath.Join(root, "params.yaml"), "prepare:\n  seed: 7\ntrain:\n  lr: 0.2\n")
	run(t, p, pipeline.RunOptions{})
	runs(t, root)
	write(t, filepath.Join(root, "params.yaml"), "prepare:\n  seed: 7\ntrain:\n  lr: 0.1\n")

	res, err := p.Run(t.Context(), pipeline.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, "restored", results(res)["train"])
	assert.Empty(t, runs(t, root), "inputs equal an earlier run: nothing runs")
	for _, s := range res.Stages {
		if s.Name == "train" {
			assert.Positive(t, s.SavedSeconds)
		}
	}
}

func TestDeletedOutsAreRestored(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())
	run(t, p, pipeline.RunOptions{})
	runs(t, root)
	model := read(t, filepath.Join(root, "model.txt"))

	require.NoError(t, os.RemoveAll(filepath.Join(root, "data", "prepared")))
	require.NoError(t, os.Remove(filepath.Join(root, "model.txt")))
	st, err := p.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, pipeline.Missing, st[0].State)
	assert.Equal(t, []string{"output data/prepared is missing"}, st[0].Reasons)

	got := run(t, p, pipeline.RunOptions{})
	assert.Equal(t, "restored", got["prepare"])
	assert.Equal(t, "restored", got["train"])
	assert.Equal(t, "skipped", got["evaluate"])
	assert.Empty(t, runs(t, root))
	assert.Equal(t, model, read(t, filepath.Join(root, "model.txt")))
	assert.Equal(t, "id,x\n1,2\n", read(t, filepath.Join(root, "data", "prepared", "train.csv")))
}

func TestCorruptCacheEntryReruns(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())
	run(t, p, pipeline.RunOptions{})
	runs(t, root)

	sum, _, err := pipeline.HashFile(filepath.Join(root, "model.txt"))
	require.NoError(t, err)
	obj := filepath.Join(root, ".mlci", "cache", "files", "md5", sum[:2], sum[2:])
	require.NoError(t, os.Chmod(obj, 0o644))
	write(t, obj, "corrupt")
	require.NoError(t, os.Remove(filepath.Join(root, "model.txt")))

	got := run(t, p, pipeline.RunOptions{})
	assert.Equal(t, "ran", got["train"])
	assert.Equal(t, []string{"train"}, runs(t, root))
	sum2, _, err := pipeline.HashFile(filepath.Join(root, "model.txt"))
	require.NoError(t, err)
	assert.Equal(t, sum, sum2)
	assert.Equal(t, read(t, filepath.Join(root, "model.txt")), read(t, obj), "cache repaired")
}

func TestStatus(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())

	st, err := p.Status(t.Context())
	require.NoError(t, err)
	for _, s := range st {
		assert.Equal(t, pipeline.NeverRun, s.State, s.Name)
	}

	run(t, p, pipeline.RunOptions{})
	write(t, filepath.Join(root, "data", "raw.csv"), "id,x\n9,9\n")
	write(t, filepath.Join(root, "params.yaml"), "prepare:\n  seed: 8\ntrain:\n  lr: 0.1\n")
	st, err = p.Status(t.Context())
	require.NoError(t, err)
	want := []pipeline.StageStatus{
		{Name: "prepare", State: pipeline.Changed,
			Reasons: []string{"data/raw.csv changed", "param prepare.seed changed (7 → 8)"}},
		{Name: "train", State: pipeline.Changed,
			Reasons: []string{"upstream prepare is not up to date"}},
		{Name: "evaluate", State: pipeline.Changed,
			Reasons: []string{"upstream train is not up to date"}},
		{Name: "other", State: pipeline.UpToDate, Reasons: []string{}},
	}
	assert.Equal(t, want, st)

	data, err := json.Marshal(st[3])
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"other","state":"up-to-date","reasons":[]}`, string(data))
}

// TestDvcignoredFilesChangeNothing adds files that .dvcignore names to a
// stage's output and to another's dependency: every stage stays up to date,
// as DVC, which leaves them out of the directories' hashes, sees it.
func TestDvcignoredFilesChangeNothing(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	write(t, filepath.Join(root, ".dvcignore"), "*.swp\n.ipynb_checkpoints/\n")
	p := newPipeline(t, root, stages())
	run(t, p, pipeline.RunOptions{})
	runs(t, root)

	write(t, filepath.Join(root, "data", "prepared", ".train.csv.swp"), "editor")
	write(t, filepath.Join(root, "data", "prepared", ".ipynb_checkpoints", "x.ipynb"), "{}")
	st, err := p.Status(t.Context())
	require.NoError(t, err)
	for _, s := range st {
		assert.Equal(t, pipeline.UpToDate, s.State, "%s: %v", s.Name, s.Reasons)
	}
	run(t, p, pipeline.RunOptions{})
	assert.Empty(t, runs(t, root))

	write(t, filepath.Join(root, "data", "prepared", "extra.csv"), "id,x\n3,4\n")
	st, err = p.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, pipeline.Changed, st[0].State, "a file .dvcignore does not name counts")
}

func TestFailureStopsDownstreamOnly(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	st := stages()
	st[1].Cmd = []string{"echo training; echo 'loss: nan' >&2; exit 4"}
	var log bytes.Buffer
	p := newPipeline(t, root, st)

	res, err := p.Run(t.Context(), pipeline.RunOptions{Printer: progress.New(&log,
		progress.GitHub)})
	require.Error(t, err)
	assert.Equal(t, exit.External, exit.Code(err))
	assert.Contains(t, err.Error(), "stage train failed: `echo training; echo 'loss: nan' >&2; "+
		"exit 4` exited with status 4")
	assert.Contains(t, err.Error(), "loss: nan")
	assert.Equal(t, map[string]string{"prepare": "ran", "train": "failed",
		"evaluate": "skipped", "other": "ran"}, results(res))
	for _, s := range res.Stages {
		if s.Name == "train" {
			assert.Equal(t, 4, s.ExitCode)
			assert.Equal(t, []string{"training", "loss: nan"}, s.LastLines)
		}
		if s.Name == "evaluate" {
			assert.Equal(t, "upstream stage train failed", s.Reason)
		}
	}
	assert.Contains(t, log.String(), "::group::train: ")
	assert.Contains(t, log.String(), "::endgroup::")

	lf, err := lock.Read(filepath.Join(root, "dvc.lock"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"prepare", "other"}, lf.Names())
}

func TestStageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cmd     string
		timeout time.Duration
		want    string
	}{
		{"command not found", "no-such-trainer --fast", 0, "status 127 (command not found)"},
		{"timeout", "sleep 20", 300 * time.Millisecond, "timed out after 300ms"},
		{"output not written", "true", 0, "did not write its output other.out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			st := stages()[3:]
			st[0].Cmd, st[0].Timeout = []string{tt.cmd}, tt.timeout
			_, err := newPipeline(t, root, st).Run(t.Context(), pipeline.RunOptions{})
			require.Error(t, err)
			assert.Equal(t, exit.External, exit.Code(err))
			assert.Contains(t, err.Error(), "stage other failed")
			assert.Contains(t, err.Error(), tt.want)
			assert.NoFileExists(t, filepath.Join(root, "dvc.lock"))
		})
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	tests := []struct {
		name   string
		change func(root string, st []*config.Stage) []*config.Stage
		want   string
	}{
		{"cycle", func(_ string, st []*config.Stage) []*config.Stage {
			st[0].Deps = append(st[0].Deps, "metrics.json")
			return st
		}, "the pipeline has a cycle: prepare → train → evaluate → prepare"},
		{"overlapping outs", func(_ string, st []*config.Stage) []*config.Stage {
			st[3].Outs = []config.Out{{Path: "data/prepared/x"}}
			return st
		}, "outputs overlap: stage prepare writes data/prepared and stage other writes"},
		{"parent dir", func(_ string, st []*config.Stage) []*config.Stage {
			st[3].Outs = []config.Out{{Path: "../x"}}
			return st
		}, "output ../x is outside the repository"},
		{"absolute", func(_ string, st []*config.Stage) []*config.Stage {
			st[3].Outs = []config.Out{{Path: "/tmp/x"}}
			return st
		}, "output /tmp/x is outside the repository"},
		{"symlink", func(root string, st []*config.Stage) []*config.Stage {
			_ = os.Symlink(outside, filepath.Join(root, "link"))
			st[3].Outs = []config.Out{{Path: "link/model.pkl"}}
			return st
		}, "leads outside the repository"},
		{"duplicate", func(_ string, st []*config.Stage) []*config.Stage {
			return append(st, st[0])
		}, "stage prepare is defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			_, err := pipeline.New(&config.Config{Root: root, Stages: tt.change(root, stages())},
				pipeline.Options{})
			require.Error(t, err)
			assert.Equal(t, exit.Usage, exit.Code(err))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestBadRepositoryState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(root string)
		want  string
	}{
		{"missing dep", func(root string) { os.Remove(filepath.Join(root, "other.txt")) },
			"stage other: dependency other.txt does not exist and no stage writes it"},
		{"newer lock schema", func(root string) {
			os.WriteFile(filepath.Join(root, "dvc.lock"), []byte("schema: '3.0'\nstages: {}\n"),
				0o644)
		}, "schema 3.0 is newer than 2.0"},
		{"missing param", func(root string) {
			os.WriteFile(filepath.Join(root, "params.yaml"), []byte("train:\n  lr: 1\n"), 0o644)
		}, "params.yaml has no param prepare.seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := newRepo(t)
			tt.setup(root)
			before, _ := os.ReadFile(filepath.Join(root, "dvc.lock"))
			_, err := newPipeline(t, root, stages()).Run(t.Context(), pipeline.RunOptions{})
			require.Error(t, err)
			assert.Equal(t, exit.Usage, exit.Code(err))
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, runs(t, root), "nothing ran")
			after, _ := os.ReadFile(filepath.Join(root, "dvc.lock"))
			assert.Equal(t, before, after)
		})
	}
}

func TestSelectForceDryRun(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())

	got := run(t, p, pipeline.RunOptions{Stages: []string{"train"}})
	assert.Equal(t, map[string]string{"prepare": "ran", "train": "ran"}, got)
	runs(t, root)

	res, err := p.Run(t.Context(), pipeline.RunOptions{DryRun: true})
	require.NoError(t, err)
	assert.True(t, res.DryRun)
	assert.Equal(t, map[string]string{"prepare": "skipped", "train": "skipped", "evaluate": "ran",
		"other": "ran"}, results(res))
	assert.Equal(t, "never run", res.Stages[2].Reason)
	assert.Empty(t, runs(t, root), "a dry run runs nothing")

	got = run(t, p, pipeline.RunOptions{Stages: []string{"prepare"}, Force: true})
	assert.Equal(t, map[string]string{"prepare": "ran"}, got)

	_, err = p.Run(t.Context(), pipeline.RunOptions{Stages: []string{"nope"}})
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestFrozenAndAlwaysChanged(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	st := stages()
	p := newPipeline(t, root, st)
	run(t, p, pipeline.RunOptions{})
	runs(t, root)

	st[0].Frozen = true
	st[3].AlwaysChanged = true
	write(t, filepath.Join(root, "data", "raw.csv"), "changed\n")
	p = newPipeline(t, root, st)
	got := run(t, p, pipeline.RunOptions{})
	assert.Equal(t, "skipped", got["prepare"])
	assert.Equal(t, "ran", got["other"])
	assert.Equal(t, []string{"other"}, runs(t, root))
}

func TestLegacyLockEntries(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	write(t, filepath.Join(root, "other.txt"), "other\r\n")
	p := newPipeline(t, root, stages()[3:])
	run(t, p, pipeline.RunOptions{})
	runs(t, root)

	// Rewrite the record as DVC 2 did: no hash: line, CRLF read as LF.
	path := filepath.Join(root, "dvc.lock")
	text := read(t, path)
	sum, _, err := pipeline.HashFile(filepath.Join(root, "other.txt"))
	require.NoError(t, err)
	out, err := exec.Command("sh", "-c", "printf 'other\\n' | md5sum").Output()
	require.NoError(t, err)
	lf := strings.Fields(string(out))[0]
	text = strings.Replace(text, "- path: other.txt\n      hash: md5\n      md5: "+sum,
		"- path: other.txt\n      md5: "+lf, 1)
	write(t, path, text)

	st, err := p.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, pipeline.UpToDate, st[0].State, st[0].Reasons)
}

func TestConcurrentRunsWait(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = p.Run(t.Context(), pipeline.RunOptions{})
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Equal(t, []string{"evaluate", "other", "prepare", "train"}, runs(t, root),
		"the second run waits, then finds everything up to date")
}

func TestPipelineTests(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	p := newPipeline(t, root, stages())
	tests := []config.Test{
		{Name: "unit", Cmd: "echo ok"},
		{Name: "smoke", Cmd: "echo '<bad & worse>'; exit 2"},
	}
	res, err := p.Test(t.Context(), tests, "")
	require.Error(t, err)
	assert.Equal(t, exit.Failed, exit.Code(err))
	assert.Contains(t, err.Error(), "smoke (`echo '<bad & worse>'; exit 2` exited with status 2)")
	assert.Equal(t, 1, res.Passed)
	assert.Equal(t, 1, res.Failed)

	xml := read(t, filepath.Join(root, ".mlci", "reports", "tests.xml"))
	assert.Contains(t, xml, `<testsuites name="mlci" tests="2" failures="1"`)
	assert.Contains(t, xml, `<testcase name="smoke" classname="mlci.tests"`)
	assert.Contains(t, xml, "&lt;bad &amp; worse&gt;")
}

// TestKill9MidStage kills a process running the pipeline in the middle of a
// stage and checks that the lock file it leaves is true for every stage it
// lists, and that a new run finishes the work.
func TestKill9MidStage(t *testing.T) {
	t.Parallel()
	root := newRepo(t)
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	helper.Env = append(os.Environ(), "MLCI_HELPER_ROOT="+root)
	require.NoError(t, helper.Start())

	started := filepath.Join(root, "train.started")
	require.Eventually(t, func() bool {
		_, err := os.Stat(started)
		return err == nil
	}, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, helper.Process.Signal(syscall.SIGKILL))
	_ = helper.Wait()

	lf, err := lock.Read(filepath.Join(root, "dvc.lock"))
	require.NoError(t, err)
	assert.Equal(t, []string{"prepare"}, lf.Names(), "only the finished stage is recorded")

	p := newPipeline(t, root, slowStages())
	st, err := p.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, pipeline.UpToDate, st[0].State)
	assert.Equal(t, pipeline.NeverRun, st[1].State)

	got := run(t, p, pipeline.RunOptions{})
	assert.Equal(t, map[string]string{"prepare": "skipped", "train": "ran", "evaluate": "ran"},
		got)
}

// slowStages makes train wait for a file the helper never writes.
func slowStages() []*config.Stage {
	st := stages()[:3]
	st[1].Cmd = append([]string{"touch train.started; " +
		`if [ -n "$MLCI_HELPER_ROOT" ]; then sleep 60; fi`}, st[1].Cmd...)
	return st
}

func TestHelperProcess(t *testing.T) {
	root := os.Getenv("MLCI_HELPER_ROOT")
	if root == "" {
		t.Skip("run by TestKill9MidStage")
	}
	p := newPipeline(t, root, slowStages())
	_, _ = p.Run(t.Context(), pipeline.RunOptions{Jobs: 1})
}

// BenchmarkStatusUpToDate measures Status when nothing changed, with the stat
// cache answering for every file.
func BenchmarkStatusUpToDate(b *testing.B) {
	root := newRepo(b)
	p := newPipeline(b, root, stages())
	run(b, p, pipeline.RunOptions{})
	time.Sleep(2500 * time.Millisecond) // out of the stat cache's racy window
	_, err := p.Status(b.Context())
	require.NoError(b, err)

	for b.Loop() {
		st, err := p.Status(b.Context())
		require.NoError(b, err)
		require.Equal(b, pipeline.UpToDate, st[0].State)
	}
}
