// Package demo builds the repository that `mlci demo` runs on: the bundled
// example project committed as a trained baseline on main, and a pull-request
// branch made of the demo's commits. It makes repositories and commits; what
// runs on them is the flow package's business.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mlci-dev/mlci"
)

// Branch is the demo's pull-request branch.
const Branch = "pr/price-increase"

// epoch is the date of every demo commit, so that the demo's commits, and so
// its reports, are the same on every machine.
var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Repo is a demo repository on disk.
type Repo struct {
	Dir     string
	commits int
}

// Commit is one commit of the demo's pull request.
type Commit struct {
	// Overlay is the folder under testdata/demo/pr copied onto the repository.
	Overlay string
	// Message is the commit message.
	Message string
}

// Create copies the example project into dir, which must be empty or missing,
// and makes it a git repository with everything committed on main.
func Create(ctx context.Context, dir string) (*Repo, error) {
	if err := ensureEmpty(dir); err != nil {
		return nil, err
	}

	sub, err := fs.Sub(mlci.Example, "testdata/example")
	if err != nil {
		return nil, fmt.Errorf("opening the bundled example: %w", err)
	}
	if err := copyTree(sub, dir); err != nil {
		return nil, err
	}

	r := &Repo{Dir: dir}
	if err := r.git(ctx, "init", "-q", "-b", "main"); err != nil {
		return nil, err
	}
	if err := r.CommitAll(ctx, "Add the churn model's baseline"); err != nil {
		return nil, err
	}
	return r, nil
}

// Commits lists the demo's pull-request commits in the order they are made.
// The data fix and the code change come first and the hyper-parameter change
// last, so the last push reuses the stages the first one ran.
func Commits() ([]Commit, error) {
	order := []string{"2-data", "3-code", "1-params"}
	commits := make([]Commit, 0, len(order))
	for _, name := range order {
		msg, err := fs.ReadFile(mlci.Example, path.Join("testdata/demo/pr", name, "MESSAGE"))
		if err != nil {
			return nil, fmt.Errorf("reading the demo commit %s: %w", name, err)
		}
		commits = append(commits, Commit{Overlay: name, Message: strings.TrimSpace(string(msg))})
	}
	return commits, nil
}

// Apply copies c's overlay onto the work tree and commits it.
func (r *Repo) Apply(ctx context.Context, c Commit) error {
	sub, err := fs.Sub(mlci.Example, path.Join("testdata/demo/pr", c.Overlay))
	if err != nil {
		return fmt.Errorf("opening the overlay %s: %w", c.Overlay, err)
	}
	if err := copyTree(sub, r.Dir, "MESSAGE"); err != nil {
		return err
	}
	return r.CommitAll(ctx, c.Message)
}

// Branch creates and checks out a new branch.
func (r *Repo) Branch(ctx context.Context, name string) error {
	return r.git(ctx, "checkout", "-q", "-b", name)
}

// Checkout checks out an existing branch.
func (r *Repo) Checkout(ctx context.Context, name string) error {
	return r.git(ctx, "checkout", "-q", name)
}

// CommitAll commits every change in the work tree that git does not ignore.
func (r *Repo) CommitAll(ctx context.Context, message string) error {
	if err := r.git(ctx, "add", "-A"); err != nil {
		return err
	}
	r.commits++
	return r.git(ctx, "commit", "-q", "--allow-empty", "-m", message)
}

// git runs git in the repository with a fixed identity and date.
func (r *Repo) git(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), r.env()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s in %s: %w: %s", args[0], r.Dir, err,
			strings.TrimSpace(stderr.String()))
	}
	return nil
}

// env is the demo's git identity, and a date that moves an hour a commit.
func (r *Repo) env() []string {
	date := epoch.Add(time.Duration(r.commits) * time.Hour).Format(time.RFC3339)
	return []string{
		"GIT_AUTHOR_NAME=Dana Scientist", "GIT_AUTHOR_EMAIL=dana@example.com",
		"GIT_COMMITTER_NAME=Dana Scientist", "GIT_COMMITTER_EMAIL=dana@example.com",
		"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
	}
}

// ensureEmpty makes dir if it is missing and refuses one that holds files,
// so the demo never writes over someone's work.
func ensureEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: the demo needs an empty or new folder", dir)
	}
	return nil
}

// copyTree copies every file of src into dir, except those named in skip and
// Python's caches.
func copyTree(src fs.FS, dir string, skip ...string) error {
	var files []string
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return fs.SkipDir
		}
		if !d.IsDir() && !contains(skip, p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing the bundled files: %w", err)
	}
	sort.Strings(files)

	for _, p := range files {
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return fmt.Errorf("reading bundled %s: %w", p, err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(dst), err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", dst, err)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
