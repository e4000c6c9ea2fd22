package record_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/record"
)

func sample(commit, run string, at time.Time, passed bool) *record.Record {
	return &record.Record{
		Commit: commit, Ref: "main", Time: at, RunURL: run,
		Models: map[string]record.ModelRecord{"churn": {
			Metrics:  map[string]float64{"accuracy": 0.87, "loss": math.NaN()},
			Artifact: record.Artifact{Path: "models/model.json", MD5: "abc", Size: 12},
		}},
		Params: map[string]any{"train.lr": 0.1},
		Data:   map[string]string{"data/raw/customers.csv": "d41d8cd98f00b204e9800998ecf8427e"},
		Verdict: record.Verdict{Passed: passed, Gates: []record.GateResult{{Model: "churn",
			Metric: "accuracy", Rule: "≥ 0.8", Passed: passed, Severity: "error"}}},
		Stages:       []record.StageTiming{{Name: "train", Result: "ran", Seconds: 1.5}},
		DataProfiles: map[string]json.RawMessage{"customers": json.RawMessage(`{"rows":10}`)},
	}
}

func TestWriteAndReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

	path, err := record.Write(
		dir,
		sample("0123456789abcdef0123456789abcdef01234567", "u", at, true),
	)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, record.FileName), path)

	got, err := record.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, record.Schema, got.Schema)
	assert.Equal(t, map[string]float64{"accuracy": 0.87}, got.Models["churn"].Metrics,
		"NaN is left out")
	assert.Equal(t, "abc", got.Models["churn"].Artifact.MD5)
	assert.True(t, got.Time.Equal(at))
	assert.JSONEq(t, `{"rows":10}`, string(got.DataProfiles["customers"]))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestReadFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := map[string]string{
		"broken.json":   `{"commit": `,
		"future.json":   `{"schema": 99, "commit": "abc"}`,
		"nocommit.json": `{"schema": 1}`,
	}
	for name, body := range tests {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		_, err := record.ReadFile(path)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), path, name)
	}
}

func TestSaveLoadReplacesSameRun(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c1 := r.CommitFiles("one", map[string]string{"a": "1"})
	c2 := r.CommitFiles("two", map[string]string{"a": "2"})
	repo := git.Repo{Dir: r.Dir}
	ctx := t.Context()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

	_, err := record.Load(ctx, repo, c1)
	require.ErrorIs(t, err, record.ErrNoRecord)

	require.NoError(t, record.Save(ctx, repo, sample(c1, "run/1", t0, false)))
	require.NoError(t, record.Save(ctx, repo, sample(c1, "run/2", t0.Add(time.Hour), true)))
	require.NoError(t, record.Save(ctx, repo, sample(c1, "run/1", t0.Add(2*time.Hour), true)))
	require.NoError(t, record.Save(ctx, repo, sample(c2, "run/3", t0.Add(3*time.Hour), true)))

	all, err := record.LoadAll(ctx, repo, c1)
	require.NoError(t, err)
	require.Len(t, all, 2, "the rerun of run/1 replaced its record")
	assert.Equal(t, "run/2", all[0].RunURL)
	assert.Equal(t, "run/1", all[1].RunURL)
	latest, err := record.Load(ctx, repo, c1)
	require.NoError(t, err)
	assert.Equal(t, "run/1", latest.RunURL)
	assert.True(t, latest.PassedFor("churn"))

	every, err := record.All(ctx, repo)
	require.NoError(t, err)
	require.Len(t, every, 3)
	assert.Equal(t, []string{"run/2", "run/1", "run/3"},
		[]string{every[0].RunURL, every[1].RunURL, every[2].RunURL})
}

func TestBadNoteNamesCommitAndLine(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c := r.CommitFiles("one", map[string]string{"a": "1"})
	repo := git.Repo{Dir: r.Dir}
	require.NoError(t, repo.WriteNote(t.Context(), c, []byte("{\"commit\":\"x\"}\nnot json\n")))

	_, err := record.Load(t.Context(), repo, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), c[:7])
	assert.Contains(t, err.Error(), "line 2")
	_, err = record.All(t.Context(), repo)
	require.Error(t, err)
}

func TestPushMergesConcurrentRecords(t *testing.T) {
	t.Parallel()
	seed := gittest.New(t)
	c := seed.CommitFiles("one", map[string]string{"a": "1"})
	bare := seed.Clone("--bare")
	a, b := bare.Clone(), bare.Clone()
	ctx := t.Context()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

	repoA, repoB := git.Repo{Dir: a.Dir}, git.Repo{Dir: b.Dir}
	require.NoError(t, record.Push(ctx, repoA, "origin"), "nothing to push is fine")
	require.NoError(t, record.Save(ctx, repoA, sample(c, "run/a", t0, true)))
	require.NoError(t, record.Save(ctx, repoB, sample(c, "run/b", t0.Add(time.Minute), true)))
	require.NoError(t, record.Push(ctx, repoA, "origin"))
	require.NoError(t, record.Push(ctx, repoB, "origin"), "b merges a's notes and pushes")

	fresh := bare.Clone()
	repoC := git.Repo{Dir: fresh.Dir}
	require.NoError(t, record.Fetch(ctx, repoC, "origin"))
	all, err := record.LoadAll(ctx, repoC, c)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "run/a", all[0].RunURL)
	assert.Equal(t, "run/b", all[1].RunURL)
}

func TestPassedFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rec  record.Record
		want bool
	}{
		{"own gate failed", record.Record{Verdict: record.Verdict{Gates: []record.GateResult{
			{Model: "churn", Severity: gate.Error}}}}, false},
		{"warning only", record.Record{Verdict: record.Verdict{Gates: []record.GateResult{
			{Model: "churn", Severity: gate.Warning}}}}, true},
		{"other model failed", record.Record{Verdict: record.Verdict{Gates: []record.GateResult{
			{Model: "churn", Passed: true}, {Model: "other", Severity: gate.Error}}}}, true},
		{"no gates, passed", record.Record{Models: map[string]record.ModelRecord{"churn": {}},
			Verdict: record.Verdict{Passed: true}}, true},
		{"model not evaluated", record.Record{Verdict: record.Verdict{Passed: true}}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.rec.PassedFor("churn"), tt.name)
	}
}

func TestVerdictOfAndArtifactOf(t *testing.T) {
	t.Parallel()
	v := record.VerdictOf(gate.NewVerdict(nil, []gate.Result{
		{Model: "churn", Metric: "accuracy", Rule: "≥ 0.8", Passed: false, Severity: gate.Error},
	}))
	assert.False(t, v.Passed)
	require.Len(t, v.Gates, 1)
	assert.Equal(t, "accuracy", v.Gates[0].Metric)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.bin"), []byte("hello"), 0o644))
	art, err := record.ArtifactOf(dir, "m.bin")
	require.NoError(t, err)
	want := record.Artifact{Path: "m.bin", MD5: "5d41402abc4b2a76b9719d911017c592", Size: 5}
	assert.Equal(t, want, art)
	_, err = record.ArtifactOf(dir, "missing")
	require.Error(t, err)
}
