// Package gittest makes real git repositories in temporary directories for
// tests: write files, commit, branch, clone shallow. It is for tests only;
// every helper fails the test on error instead of returning one.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Repo is a repository under a test's temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
}

// New makes an empty repository on branch main with a fixed identity.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "--quiet", "--initial-branch=main")
	r.Git("config", "user.name", "Test")
	r.Git("config", "user.email", "test@example.com")
	r.Git("config", "commit.gpgsign", "false")
	return r
}

// Git runs git in the repository and returns its trimmed standard output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.Dir}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// Write writes files (path → contents) relative to the work tree, making
// directories as needed.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, data := range files {
		path := filepath.Join(r.Dir, filepath.FromSlash(name))
		require.NoError(r.t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(r.t, os.WriteFile(path, []byte(data), 0o644))
	}
}

// Commit stages everything and commits it, returning the commit's id.
func (r *Repo) Commit(message string) string {
	r.t.Helper()
	r.Git("add", "--all")
	r.Git("commit", "--quiet", "--allow-empty", "--message", message)
	return r.Git("rev-parse", "HEAD")
}

// CommitFiles writes files and commits them.
func (r *Repo) CommitFiles(message string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	return r.Commit(message)
}

// EmptyCommits adds n commits without changes on top of the current branch
// through one `git fast-import`, which is much faster than n commits.
func (r *Repo) EmptyCommits(n int) string {
	r.t.Helper()
	ref := r.Git("symbolic-ref", "HEAD")
	from := r.Git("rev-parse", "HEAD")
	var stream strings.Builder
	for i := range n {
		msg := fmt.Sprintf("history %d", i)
		fmt.Fprintf(&stream, "commit %s\ncommitter Test <test@example.com> %d +0000\n"+
			"data %d\n%s\n", ref, 1700000000+i, len(msg), msg)
		if i == 0 {
			fmt.Fprintf(&stream, "from %s\n", from)
		}
		stream.WriteString("\n")
	}
	cmd := exec.Command("git", "-C", r.Dir, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(stream.String())
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git fast-import: %s", out)
	r.Git("reset", "--quiet", "--hard")
	return r.Git("rev-parse", "HEAD")
}

// Clone clones the repository over file:// into a new temporary directory
// with the given extra arguments (`--depth 1`, `--branch x`).
func (r *Repo) Clone(args ...string) *Repo {
	r.t.Helper()
	dir := r.t.TempDir()
	cmd := exec.Command("git", append(append([]string{"clone", "--quiet"}, args...),
		"file://"+r.Dir, dir)...)
	cmd.Env = append(
		os.Environ(),
		"LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
	)
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git clone: %s", out)
	c := &Repo{t: r.t, Dir: dir}
	c.Git("config", "user.name", "Test")
	c.Git("config", "user.email", "test@example.com")
	return c
}
