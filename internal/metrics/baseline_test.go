package metrics

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

func TestLookupMergeBase(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.CommitFiles("first", map[string]string{"eval/m.json": `{"acc": 0.8}`})
	base := repo.CommitFiles("second", map[string]string{"eval/m.json": `{"acc": 0.81}`})
	repo.Git("checkout", "--quiet", "-b", "feature")
	repo.CommitFiles("candidate", map[string]string{"eval/m.json": `{"acc": 0.9}`})
	repo.Git("checkout", "--quiet", "main")
	repo.CommitFiles("main moves on", map[string]string{"eval/m.json": `{"acc": 0.85}`})
	repo.Git("checkout", "--quiet", "feature")

	b, err := Lookup(t.Context(), repo.Dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, KindCommit, b.Kind)
	assert.Equal(t, base, b.Commit)
	assert.Equal(t, "main@"+base[:7], b.String())
	assert.Equal(t, "merge base of HEAD and main", b.Note)

	data, err := b.ReadFile(t.Context(), "eval/m.json")
	require.NoError(t, err)
	assert.JSONEq(t, `{"acc": 0.81}`, string(data))

	_, err = b.ReadFile(t.Context(), "eval/none.json")
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestLookupExplicitRef(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	first := repo.CommitFiles("first", map[string]string{"a": "1"})
	repo.CommitFiles("second", map[string]string{"a": "2"})

	b, err := Lookup(t.Context(), repo.Dir, Options{Ref: "HEAD~1"})
	require.NoError(t, err)
	assert.Equal(t, first, b.Commit)
	assert.Equal(t, "--base HEAD~1", b.Note)

	_, err = Lookup(t.Context(), repo.Dir, Options{Ref: "nope"})
	require.Error(t, err)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestLookupWithoutCommitsHasNoBaseline(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	b, err := Lookup(t.Context(), repo.Dir, Options{})
	require.NoError(t, err)
	assert.False(t, b.Exists())
	assert.Equal(t, "none", b.String())
	_, err = b.ReadFile(t.Context(), "m.json")
	require.ErrorIs(t, err, ErrNoBaseline)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestLookupRegistry(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	v1 := repo.CommitFiles("v1", map[string]string{"a": "1"})
	repo.Git("tag", "churn@v1.0.0")
	repo.CommitFiles("v2", map[string]string{"a": "2"})

	_, err := Lookup(t.Context(), repo.Dir, Options{Stage: "production", Model: "churn"})
	require.EqualError(t, err, "--baseline production: no model registry to read here; "+
		"use --base REF")
	assert.Equal(t, exit.Usage, exit.Code(err))

	noModel := func(context.Context, string, string) (string, error) { return "", nil }
	_, err = Lookup(t.Context(), repo.Dir, Options{Stage: "production", Registry: noModel})
	require.ErrorContains(t, err, "needs the model whose version to compare with")
	assert.Equal(t, exit.Usage, exit.Code(err))

	registry := func(_ context.Context, model, stage string) (string, error) {
		assert.Equal(t, "churn", model)
		assert.Equal(t, "production", stage)
		return "churn@v1.0.0", nil
	}
	b, err := Lookup(t.Context(), repo.Dir, Options{Stage: "production", Model: "churn",
		Registry: registry})
	require.NoError(t, err)
	assert.Equal(t, KindRegistry, b.Kind)
	assert.Equal(t, v1, b.Commit)
	assert.Equal(t, "production churn@v1.0.0@"+v1[:7], b.String())
}

// TestBaselineReadsCachedOutputs covers metrics kept in the cache rather
// than in git: the base commit's lock file names the object.
func TestBaselineReadsCachedOutputs(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	metricsJSON := `{"acc": 0.77}`
	sum := md5.Sum([]byte(metricsJSON))
	hash := hex.EncodeToString(sum[:])
	repo.CommitFiles("lock", map[string]string{"dvc.lock": "schema: '2.0'\nstages:\n  evaluate:\n" +
		"    cmd: python3 eval.py\n    outs:\n    - path: eval/m.json\n      hash: md5\n" +
		"      md5: " + hash + "\n      size: 13\n"})
	object := filepath.Join(repo.Dir, ".mlci", "cache", "files", "md5", hash[:2], hash[2:])
	require.NoError(t, os.MkdirAll(filepath.Dir(object), 0o755))
	require.NoError(t, os.WriteFile(object, []byte(metricsJSON), 0o444))

	b, err := Lookup(t.Context(), repo.Dir, Options{Ref: "HEAD"})
	require.NoError(t, err)
	data, err := b.ReadFile(t.Context(), "eval/m.json")
	require.NoError(t, err)
	assert.Equal(t, metricsJSON, string(data))

	_, err = b.ReadFile(t.Context(), "eval/other.json")
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// TestBaselineReadsDvcTrackedData reads data that the baseline tracks with
// .dvc files (dvc add) rather than git: a file, and a file of a tracked
// folder, from DVC's cache, saved there by the cache package.
func TestBaselineReadsDvcTrackedData(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	c := cache.Open(filepath.Join(repo.Dir, ".dvc", "cache"))
	raw := filepath.Join(t.TempDir(), "customers.csv")
	require.NoError(t, os.WriteFile(raw, []byte("id,churned\n1,0\n"), 0o644))
	file, err := digest.File(raw)
	require.NoError(t, err)
	require.NoError(t, c.Save(raw, file, nil))
	folder := filepath.Join(t.TempDir(), "images")
	require.NoError(t, os.MkdirAll(filepath.Join(folder, "train"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(folder, "train", "labels.csv"),
		[]byte("img,label\na.png,cat\n"), 0o644))
	dir, entries, err := (&digest.Hasher{}).Dir(folder, digest.MD5)
	require.NoError(t, err)
	require.NoError(t, c.Save(folder, dir, entries))

	repo.CommitFiles("track data with DVC", map[string]string{
		"data/customers.csv.dvc": "outs:\n- md5: " + file.MD5 + "\n  size: 16\n  hash: md5\n" +
			"  path: customers.csv\n",
		"data/images.dvc": "outs:\n- md5: " + dir.MD5 + "\n  size: 20\n  nfiles: 1\n" +
			"  hash: md5\n  path: images\n",
	})
	b, err := Lookup(t.Context(), repo.Dir, Options{Ref: "HEAD"})
	require.NoError(t, err)

	data, err := b.ReadFile(t.Context(), "data/customers.csv")
	require.NoError(t, err)
	assert.Equal(t, "id,churned\n1,0\n", string(data))
	data, err = b.ReadFile(t.Context(), "data/images/train/labels.csv")
	require.NoError(t, err)
	assert.Equal(t, "img,label\na.png,cat\n", string(data))
	_, err = b.ReadFile(t.Context(), "data/images/train/other.csv")
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestReadSideAndCompare(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.CommitFiles("base", map[string]string{
		"eval/m.json": `{"acc": 0.8, "loss": 0.5}`,
		"params.yaml": "train:\n  lr: 0.1\n  epochs: 10\nother: 1\n",
	})
	repo.Write(map[string]string{
		"eval/m.json": `{"acc": 0.85, "loss": 0.5}`,
		"eval/t.json": `{"rmse": 1}`,
		"params.yaml": "train:\n  lr: 0.05\n  epochs: 10\nother: 2\n",
	})
	cfg := &config.Config{Root: repo.Dir, Stages: []*config.Stage{{
		Name:    "train",
		Params:  []config.ParamRef{{Keys: []string{"train"}}},
		Metrics: []config.Out{{Path: "eval/m.json"}, {Path: "eval/t.json"}},
	}}}
	files := FilesOf(cfg)
	assert.Equal(t, []string{"eval/m.json", "eval/t.json"}, files.Metrics)
	assert.Equal(t, map[string][]string{"params.yaml": {"train"}}, files.Params)

	b, err := Lookup(t.Context(), repo.Dir, Options{})
	require.NoError(t, err)
	base, err := ReadSide(t.Context(), b, files)
	require.NoError(t, err)
	assert.Equal(t, []string{"eval/t.json"}, base.Missing)
	head, err := ReadSide(t.Context(), WorkTree(repo.Dir), files)
	require.NoError(t, err)
	assert.Empty(t, head.Missing)

	c := Compare(base, head, files, b)
	require.Len(t, c.Metrics, 3)
	require.Len(t, c.Params, 2, "other is not read by a stage")
	changed := c.Changed()
	require.Len(t, changed.Metrics, 2)
	assert.Equal(t, "acc", changed.Metrics[0].Key)
	assert.Equal(t, "rmse", changed.Metrics[1].Key)
	require.Len(t, changed.Params, 1)
	assert.Equal(t, "train.lr", changed.Params[0].Key)

	model := &config.Model{Name: "m", Metrics: []string{"eval/m.json"}}
	assert.Equal(t, map[string]float64{"acc": 0.85, "loss": 0.5, "eval/m.json:acc": 0.85,
		"eval/m.json:loss": 0.5}, head.ModelMetrics(model, files))
	var none *Side
	assert.Nil(t, none.ModelMetrics(model, files))
}

func TestReadSideRejectsBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.json"), []byte("{\n\"a\": }"), 0o644))
	_, err := ReadSide(t.Context(), WorkTree(dir), Files{Metrics: []string{"m.json"}})
	require.EqualError(t, err, "m.json:2: invalid character '}' looking for beginning of value")
}

func TestBaselineOfAProjectInASubdirectory(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.CommitFiles("base", map[string]string{"ml/eval/m.json": `{"acc": 0.5}`,
		"eval/m.json": `{"acc": 0.1}`})

	b, err := Lookup(t.Context(), filepath.Join(repo.Dir, "ml"), Options{})
	require.NoError(t, err)
	data, err := b.ReadFile(t.Context(), "eval/m.json")
	require.NoError(t, err)
	assert.JSONEq(t, `{"acc": 0.5}`, string(data))
}

// TestBaselineFetchesFromTheRemoteCache covers a fresh runner: the outputs
// the baseline's lock file names are in no local cache, only in the remote.
func TestBaselineFetchesFromTheRemoteCache(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	predictions := "id,label,score\n1,1,0.9\n"
	sum := md5.Sum([]byte(predictions))
	hash := hex.EncodeToString(sum[:])
	repo.CommitFiles("lock", map[string]string{"dvc.lock": "schema: '2.0'\nstages:\n  evaluate:\n" +
		"    cmd: python3 eval.py\n    outs:\n    - path: eval/p.csv\n      hash: md5\n" +
		"      md5: " + hash + "\n      size: 24\n"})
	remoteDir := filepath.Join(t.TempDir(), "remote")
	src := filepath.Join(t.TempDir(), "p.csv")
	require.NoError(t, os.WriteFile(src, []byte(predictions), 0o644))
	info, err := digest.File(src)
	require.NoError(t, err)
	require.NoError(t, cache.Open(remoteDir).Save(src, info, nil))

	var fetched []string
	fetch := func(_ context.Context, dir, object string) error {
		fetched = append(fetched, object)
		data, err := os.ReadFile(cache.Open(remoteDir).ObjectPath(object))
		if err != nil {
			return err
		}
		dst := cache.Open(dir).ObjectPath(object)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		return os.WriteFile(dst, data, 0o444)
	}
	b, err := Lookup(t.Context(), repo.Dir, Options{Ref: "HEAD", Fetch: fetch})
	require.NoError(t, err)

	data, err := b.ReadFile(t.Context(), "eval/p.csv")
	require.NoError(t, err)
	assert.Equal(t, predictions, string(data))
	data, err = b.ReadFile(t.Context(), "eval/p.csv")
	require.NoError(t, err)
	assert.Equal(t, predictions, string(data))
	assert.Equal(t, []string{hash}, fetched, "fetched once, then read from the local cache")
	assert.FileExists(t, filepath.Join(repo.Dir, ".mlci", "cache", "files", "md5", hash[:2],
		hash[2:]))

	refused := func(context.Context, string, string) error { return errors.New("403 Forbidden") }
	other := gittest.New(t)
	other.CommitFiles("lock", map[string]string{"dvc.lock": "schema: '2.0'\nstages:\n  e:\n" +
		"    cmd: x\n    outs:\n    - path: eval/p.csv\n      hash: md5\n" +
		"      md5: " + hash + "\n"})
	b, err = Lookup(t.Context(), other.Dir, Options{Ref: "HEAD", Fetch: refused})
	require.NoError(t, err)
	_, err = b.ReadFile(t.Context(), "eval/p.csv")
	var fe *FetchError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, exit.External, exit.Code(err))
	assert.Contains(t, err.Error(), "fetching the baseline's object "+hash+
		" from the remote cache: 403 Forbidden")
}
