package git_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	long := strings.Repeat("a line that makes the file long enough to be similar\n", 20)
	base := r.CommitFiles("base", map[string]string{
		"keep.txt":         "same\n",
		"edit.py":          "print(1)\n",
		"gone.md":          "bye\n",
		"old/name.csv":     long,
		"run.sh":           "echo hi\n",
		"weird name ü.txt": "x\n",
		"bin.dat":          "\x00\x01\x02",
	})
	require.NoError(t, os.Remove(filepath.Join(r.Dir, "gone.md")))
	require.NoError(t, os.MkdirAll(filepath.Join(r.Dir, "new"), 0o755))
	require.NoError(t, os.Rename(filepath.Join(r.Dir, "old/name.csv"),
		filepath.Join(r.Dir, "new/name.csv")))
	require.NoError(t, os.Chmod(filepath.Join(r.Dir, "run.sh"), 0o755))
	head := r.CommitFiles("head", map[string]string{
		"edit.py":          "print(2)\n",
		"added\ttab.txt":   "new\n",
		"weird name ü.txt": "y\n",
		"bin.dat":          "\x00\x01\x03",
	})

	changes, err := git.Repo{Dir: r.Dir}.Diff(t.Context(), base, head)
	require.NoError(t, err)

	got := map[string]git.Change{}
	for _, c := range changes {
		got[c.Path] = c
	}
	require.Len(t, got, 7)
	assert.Equal(t, byte(git.Added), got["added\ttab.txt"].Status)
	assert.Equal(t, byte(git.Modified), got["edit.py"].Status)
	assert.Equal(t, byte(git.Deleted), got["gone.md"].Status)
	assert.Equal(t, byte(git.Modified), got["bin.dat"].Status)
	assert.Equal(t, byte(git.Modified), got["weird name ü.txt"].Status)
	ren := got["new/name.csv"]
	assert.Equal(t, byte(git.Renamed), ren.Status)
	assert.Equal(t, "old/name.csv", ren.OldPath)
	assert.Equal(t, 100, ren.Score)
	mode := got["run.sh"]
	assert.True(t, mode.ModeChanged())
	assert.Equal(t, "100644", mode.OldMode)
	assert.Equal(t, "100755", mode.NewMode)
}

func TestDiffFromSubdirectoryGivesRootPaths(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	base := r.CommitFiles("base", map[string]string{"sub/a.txt": "1\n"})
	head := r.CommitFiles("head", map[string]string{"sub/a.txt": "2\n", "b.txt": "x\n"})

	changes, err := git.Repo{Dir: filepath.Join(r.Dir, "sub")}.Diff(t.Context(), base, head)
	require.NoError(t, err)
	var paths []string
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	assert.Equal(t, []string{"b.txt", "sub/a.txt"}, paths)
}

func TestDiffSubmodule(t *testing.T) {
	t.Parallel()
	sub := gittest.New(t)
	sub.CommitFiles("lib", map[string]string{"lib.py": "x = 1\n"})
	r := gittest.New(t)
	base := r.CommitFiles("base", map[string]string{"a.txt": "1\n"})
	r.Git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add",
		"file://"+sub.Dir, "vendor/lib")
	head := r.Commit("add submodule")

	changes, err := git.Repo{Dir: r.Dir}.Diff(t.Context(), base, head)
	require.NoError(t, err)
	var sm *git.Change
	for i := range changes {
		if changes[i].Path == "vendor/lib" {
			sm = &changes[i]
		}
	}
	require.NotNil(t, sm)
	assert.True(t, sm.Submodule())
	assert.Equal(t, byte(git.Added), sm.Status)
}

func TestRevParse(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	sha := r.CommitFiles("one", map[string]string{"a": "1"})
	repo := git.Repo{Dir: r.Dir}

	got, err := repo.RevParse(t.Context(), "main")
	require.NoError(t, err)
	assert.Equal(t, sha, got)

	tests := []string{"nope", "main~5", "-x", strings.Repeat("1", 40)}
	for _, rev := range tests {
		_, err := repo.RevParse(t.Context(), rev)
		require.ErrorIs(t, err, git.ErrUnknownRev, rev)
		assert.Equal(t, exit.Usage, exit.Code(err), rev)
		assert.Contains(t, err.Error(), rev)
	}
}

func TestRevParseAll(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	one := r.CommitFiles("one", map[string]string{"a": "1"})
	two := r.CommitFiles("two", map[string]string{"a": "2"})
	repo := git.Repo{Dir: r.Dir}

	got, err := repo.RevParseAll(t.Context(), "HEAD", "HEAD~1")
	require.NoError(t, err)
	assert.Equal(t, []string{two, one}, got)

	for _, revs := range [][]string{{"HEAD", "nope"}, {"--all", "HEAD"}} {
		_, err = repo.RevParseAll(t.Context(), revs...)
		require.ErrorIs(t, err, git.ErrUnknownRev)
		assert.Equal(t, exit.Usage, exit.Code(err))
	}
}

func TestErrorsCarryStderrAndExitCode(t *testing.T) {
	t.Parallel()
	repo := git.Repo{Dir: t.TempDir()}

	_, err := repo.Run(t.Context(), "log")
	require.Error(t, err)
	assert.Equal(t, exit.Usage, exit.Code(err), "not a repository is the user's mistake")
	var gerr *git.Error
	require.ErrorAs(t, err, &gerr)
	assert.Equal(t, 128, gerr.ExitCode)
	assert.Contains(t, err.Error(), "fatal: not a git repository")
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"fatal: unable to access 'https://x-access-token:ghs_123@github.com/o/r/'": "fatal: " +
			"unable to access 'https://***@github.com/o/r/'",
		"https://oauth2:glpat-abc@gitlab.com/g/p.git": "https://***@gitlab.com/g/p.git",
		"git@github.com:o/r.git":                      "git@github.com:o/r.git",
		"ssh://git@host/r":                            "ssh://***@host/r",
	}
	for in, want := range tests {
		assert.Equal(t, want, git.Redact(in))
	}
}

func TestPushErrorHidesToken(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.CommitFiles("one", map[string]string{"a": "1"})
	repo := git.Repo{Dir: r.Dir}

	err := repo.Push(t.Context(), "https://user:s3cr3t@127.0.0.1:1/r.git", "main")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.Contains(t, err.Error(), "***@127.0.0.1")
}

func TestMergeBaseAndAncestry(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	root := r.CommitFiles("root", map[string]string{"a": "1"})
	r.Git("checkout", "--quiet", "-b", "feature")
	feat := r.CommitFiles("feat", map[string]string{"b": "1"})
	r.Git("checkout", "--quiet", "main")
	main := r.CommitFiles("main", map[string]string{"c": "1"})
	repo := git.Repo{Dir: r.Dir}

	mb, err := repo.MergeBase(t.Context(), main, feat)
	require.NoError(t, err)
	assert.Equal(t, root, mb)

	ok, err := repo.IsAncestor(t.Context(), root, feat)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = repo.IsAncestor(t.Context(), main, feat)
	require.NoError(t, err)
	assert.False(t, ok)

	r.Git("checkout", "--quiet", "--orphan", "other")
	other := r.CommitFiles("unrelated", map[string]string{"z": "1"})
	_, err = repo.MergeBase(t.Context(), main, other)
	require.ErrorIs(t, err, git.ErrNoMergeBase)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestBranches(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.CommitFiles("one", map[string]string{"a": "1"})
	repo := git.Repo{Dir: r.Dir}

	b, err := repo.CurrentBranch(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "main", b)
	d, err := repo.DefaultBranch(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "main", d)

	r.Git("checkout", "--quiet", "--detach")
	b, err = repo.CurrentBranch(t.Context())
	require.NoError(t, err)
	assert.Empty(t, b)

	r.Git("branch", "--quiet", "-m", "main", "trunk")
	_, err = repo.DefaultBranch(t.Context())
	require.ErrorIs(t, err, git.ErrNoDefaultBranch)

	c := r.Clone()
	d, err = git.Repo{Dir: c.Dir}.DefaultBranch(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "trunk", d, "origin/HEAD is followed")
}

func TestShow(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	one := r.CommitFiles("one", map[string]string{"p/params.yaml": "lr: 1\n", "x": "1"})
	two := r.CommitFiles("two", map[string]string{"p/params.yaml": "lr: 2\n"})
	repo := git.Repo{Dir: r.Dir}

	data, err := repo.Show(t.Context(), one, "p/params.yaml")
	require.NoError(t, err)
	assert.Equal(t, "lr: 1\n", string(data))
	_, err = repo.Show(t.Context(), one, "missing.yaml")
	require.ErrorIs(t, err, fs.ErrNotExist)

	b, err := repo.NewBatch(t.Context())
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	for range 3 {
		data, err = b.Show(two, "p/params.yaml")
		require.NoError(t, err)
		assert.Equal(t, "lr: 2\n", string(data))
		data, err = b.Show(one, "x")
		require.NoError(t, err)
		assert.Equal(t, "1", string(data))
		_, err = b.Show(two, "missing")
		require.ErrorIs(t, err, fs.ErrNotExist)
		_, err = b.Show(two, "p")
		require.ErrorIs(t, err, fs.ErrNotExist, "a directory is not a file")
	}
}

func TestShallowFetchAndDeepen(t *testing.T) {
	t.Parallel()
	up := gittest.New(t)
	var shas []string
	for i := range 6 {
		shas = append(shas, up.CommitFiles("c", map[string]string{"f": strings.Repeat("x", i)}))
	}
	clone := up.Clone("--depth", "1")
	repo := git.Repo{Dir: clone.Dir}

	shallow, err := repo.IsShallow(t.Context())
	require.NoError(t, err)
	assert.True(t, shallow)
	assert.False(t, repo.HasCommit(t.Context(), shas[3]))

	require.NoError(t, repo.Deepen(t.Context(), "origin", 2))
	assert.True(t, repo.HasCommit(t.Context(), shas[3]))
	assert.False(t, repo.HasCommit(t.Context(), shas[2]))

	got, err := repo.FetchHead(t.Context(), "origin", shas[0], 1)
	require.NoError(t, err)
	assert.Equal(t, shas[0], got)

	_, err = repo.FetchHead(t.Context(), "origin", "no-such-branch", 1)
	require.ErrorIs(t, err, git.ErrUnknownRev)
	assert.Equal(t, exit.Usage, exit.Code(err))
	assert.True(t, repo.HasRemote(t.Context(), "origin"))
	assert.False(t, repo.HasRemote(t.Context(), "upstream"))
}

func TestTagsAndNotes(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	sha := r.CommitFiles("one", map[string]string{"a": "1"})
	repo := git.Repo{Dir: r.Dir}

	require.NoError(t, repo.CreateTag(t.Context(), "churn@v1.0.0", sha, "registered\n\nline two"))
	require.NoError(t, repo.CreateTag(t.Context(), "light", sha, ""))
	require.Error(t, repo.CreateTag(t.Context(), "light", sha, ""))

	tags, err := repo.Tags(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, tags, 2)
	assert.Equal(t, "churn@v1.0.0", tags[0].Short())
	assert.Equal(t, "tag", tags[0].Type)
	assert.Equal(t, sha, tags[0].Commit)
	assert.NotEqual(t, sha, tags[0].Object)
	assert.Equal(t, "registered\n\nline two\n", tags[0].Message)
	assert.False(t, tags[0].Date.IsZero())
	assert.Equal(t, "commit", tags[1].Type)
	assert.Equal(t, sha, tags[1].Commit)

	_, err = repo.ReadNote(t.Context(), sha)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, repo.WriteNote(t.Context(), sha, []byte(`{"run":1}`)))
	require.NoError(t, repo.WriteNote(t.Context(), sha, []byte(`{"run":2}`)))
	note, err := repo.ReadNote(t.Context(), sha)
	require.NoError(t, err)
	assert.JSONEq(t, `{"run":2}`, string(note))
}

func TestCommitWithoutIdentity(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.CommitFiles("one", map[string]string{"a": "1"})
	r.Git("config", "--unset", "user.email")
	r.Git("config", "--unset", "user.name")
	r.Write(map[string]string{"b": "2", "c": "3"})
	repo := git.Repo{
		Dir: r.Dir,
		Env: []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"},
	}

	sha, err := repo.Commit(t.Context(), "add b", "b")
	require.NoError(t, err)
	assert.True(t, git.IsSHA(sha))
	assert.Equal(t, "b", r.Git("show", "--format=", "--name-only", sha))
	assert.Equal(t, "mlci", r.Git("show", "--no-patch", "--format=%an", sha))
}

func TestSHAHelpers(t *testing.T) {
	t.Parallel()
	assert.True(t, git.IsZeroSHA(git.ZeroSHA))
	assert.True(t, git.IsZeroSHA(""))
	assert.False(t, git.IsZeroSHA("0000001"))
	assert.True(t, git.IsSHA(strings.Repeat("ab", 20)))
	assert.False(t, git.IsSHA("main"))
}

func TestPrefix(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.CommitFiles("one", map[string]string{"ml/dvc.yaml": "stages: {}\n"})

	for dir, want := range map[string]string{"": "", "ml": "ml/"} {
		got, err := git.Repo{Dir: filepath.Join(r.Dir, dir)}.Prefix(t.Context())
		require.NoError(t, err)
		assert.Equal(t, want, got, dir)
	}
}
