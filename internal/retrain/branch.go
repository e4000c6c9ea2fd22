package retrain

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
)

// checkStart refuses to retrain from anything but a clean work tree at the
// default branch's commit, so that nobody's uncommitted work is committed
// to the retraining branch and the branch starts where it says. Changed
// data dependencies are allowed: the refresh command overwrites them, and
// an earlier check (--check) may have refreshed them already.
func (s *state) checkStart(ctx context.Context) error {
	head, err := s.repo.Head(ctx)
	if err != nil {
		return err
	}
	if head != s.defaultCommit {
		return exit.Usagef("retraining starts from the default branch %s (at %s), but HEAD is "+
			"at %s: check out %s first", s.defaultBranch, short(s.defaultCommit), short(head),
			s.defaultBranch)
	}
	changed, err := s.changedFiles(ctx)
	if err != nil {
		return err
	}
	deps, err := dataDeps(s.cfg)
	if err != nil {
		return err
	}
	var dirty []string
	for _, p := range changed {
		if !slices.Contains(deps, p) {
			dirty = append(dirty, p)
		}
	}
	if len(dirty) > 0 {
		return exit.Usagef("the work tree has changes (%s): commit or stash them before "+
			"retraining", strings.Join(firstFew(dirty, 3), ", "))
	}
	return nil
}

// excludes are pathspecs of mlci's own files, never committed.
func (s *state) excludes() []string {
	out := []string{":(exclude).mlci"}
	if rel, err := filepath.Rel(s.opts.Root, s.opts.ReportDir); err == nil &&
		!strings.HasPrefix(rel, "..") && rel != "." {
		out = append(out, ":(exclude)"+filepath.ToSlash(rel))
	}
	return out
}

// changedFiles lists the paths git sees changed, added or deleted in the
// work tree, ignored files and mlci's own left out.
func (s *state) changedFiles(ctx context.Context) ([]string, error) {
	args := append([]string{"status", "--porcelain=v1", "-z", "--untracked-files=all",
		"--", "."}, s.excludes()...)
	out, err := s.repo.Run(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the work tree's status: %w", err)
	}
	var paths []string
	entries := strings.Split(string(out), "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		paths = append(paths, e[3:])
		if (e[0] == 'R' || e[0] == 'C') && i+1 < len(entries) {
			i++ // the source path of a rename follows
			paths = append(paths, entries[i])
		}
	}
	return paths, nil
}

func firstFew(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("%d more", len(list)-n))
}

// checkoutBranch points the retraining branch at HEAD (the default
// branch's commit) and checks it out, keeping the refreshed data.
func (s *state) checkoutBranch(ctx context.Context, branch string) error {
	if _, err := s.repo.Run(ctx, "checkout", "--quiet", "-B", branch); err != nil {
		return fmt.Errorf("creating the branch %s: %w", branch, err)
	}
	return nil
}

// commit commits every change the refresh and the pipeline made (ignored
// files and mlci's own excepted) and returns the commit, or "" when
// nothing changed.
func (s *state) commit(ctx context.Context, message string) (string, error) {
	changed, err := s.changedFiles(ctx)
	if err != nil || len(changed) == 0 {
		return "", err
	}
	return s.repo.Commit(ctx, message, changed...)
}

// push force-pushes the branch with a lease: it replaces the remote branch
// only if it still is where it was fetched from (or still is missing), so
// that a commit someone pushed to the retraining branch in between is not
// lost. It pushes where the platform says (on GitLab, the project with the
// API token, as the job token may not push), else to the checkout's remote.
// On GitLab the push asks for no pipeline (ci.skip): the merge request's
// own pipeline runs instead.
func (s *state) push(ctx context.Context, branch string) error {
	repo, remote := platform.PushTarget(s.opts.Platform, s.repo, s.opts.Remote)
	ref := "refs/heads/" + branch
	tracking := "refs/mlci/pushed/" + branch
	found, err := repo.FetchRef(ctx, remote, ref, tracking)
	if err != nil {
		return err
	}
	expect := ""
	if found {
		if expect, err = repo.RevParse(ctx, tracking); err != nil {
			return err
		}
	}

	args := []string{"push", "--quiet", "--force-with-lease=" + ref + ":" + expect}
	if s.opts.Platform.Name() == "gitlab" {
		args = append(args, "--push-option=ci.skip")
	}
	args = append(args, "--end-of-options", remote, "HEAD:"+ref)
	if _, err := repo.Run(ctx, args...); err != nil {
		return exit.Externalf("pushing %s to %s (the lease refuses the push when the remote "+
			"branch moved since it was fetched; run again): %w", branch, git.Redact(remote), err)
	}
	return nil
}
