package git

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
)

// ZeroSHA is the all-zero commit id CI systems give as the base of a push
// that created a branch.
const ZeroSHA = "0000000000000000000000000000000000000000"

// IsZeroSHA reports whether sha is empty or made of zeros only (SHA-1 or SHA-256).
func IsZeroSHA(sha string) bool {
	return strings.Trim(sha, "0") == ""
}

// IsSHA reports whether s looks like a full commit id (40 or 64 hex digits).
func IsSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// RevParse returns the full id of the commit rev names (`git rev-parse
// --verify rev^{commit}`). A rev that names no commit here is ErrUnknownRev
// with exit code 2.
func (r Repo) RevParse(ctx context.Context, rev string) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	if exitCode(err) == 1 || exitCode(err) == 128 && stderrOf(err) == "" {
		return "", exit.With(exit.Usage, fmt.Errorf("%w %q", ErrUnknownRev, rev))
	}
	return "", fmt.Errorf("resolving %s: %w", rev, err)
}

// RevParseAll returns the full ids of the commits revs name, in one git
// call. When any of them names no commit it fails without saying which
// (ErrUnknownRev, exit code 2); call RevParse on each to find out.
func (r Repo) RevParseAll(ctx context.Context, revs ...string) ([]string, error) {
	unknown := exit.With(exit.Usage, fmt.Errorf("%w among %s", ErrUnknownRev,
		strings.Join(revs, ", ")))
	// Not every git takes --end-of-options here (2.39 prints it back), so
	// a rev that could pass for an option is left to RevParse.
	args := []string{"rev-parse"}
	for _, rev := range revs {
		if strings.HasPrefix(rev, "-") {
			return nil, unknown
		}
		args = append(args, rev+"^{commit}")
	}
	out, err := r.Run(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", unknown, err)
	}
	shas := strings.Fields(string(out))
	notSHA := func(s string) bool { return !IsSHA(s) }
	if len(shas) != len(revs) || slices.ContainsFunc(shas, notSHA) {
		return nil, fmt.Errorf("resolving %s: unexpected git rev-parse output %q",
			strings.Join(revs, ", "), out)
	}
	return shas, nil
}

// HasCommit reports whether the commit sha is in the object store.
func (r Repo) HasCommit(ctx context.Context, sha string) bool {
	_, err := r.Run(ctx, "cat-file", "-e", sha+"^{commit}")
	return err == nil
}

// Head returns the full id of HEAD.
func (r Repo) Head(ctx context.Context) (string, error) {
	return r.RevParse(ctx, "HEAD")
}

// MergeBase returns the best common ancestor of a and b (`git merge-base`).
// It is ErrNoMergeBase (exit code 2) when the repository holds none: the
// histories are unrelated, or a shallow clone stops short of it.
func (r Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	out, err := r.Run(ctx, "merge-base", "--end-of-options", a, b)
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	if exitCode(err) == 1 && stderrOf(err) == "" {
		return "", exit.With(exit.Usage, fmt.Errorf("%w between %s and %s", ErrNoMergeBase, a, b))
	}
	return "", fmt.Errorf("finding the merge base of %s and %s: %w", a, b, err)
}

// IsAncestor reports whether commit a is an ancestor of (or equal to) b
// (`git merge-base --is-ancestor`).
func (r Repo) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := r.Run(ctx, "merge-base", "--is-ancestor", "--end-of-options", a, b)
	switch {
	case err == nil:
		return true, nil
	case exitCode(err) == 1:
		return false, nil
	default:
		return false, fmt.Errorf("checking whether %s is an ancestor of %s: %w", a, b, err)
	}
}

// CurrentBranch returns the short name of the checked-out branch, or ""
// when HEAD is detached (as in most CI checkouts).
func (r Repo) CurrentBranch(ctx context.Context) (string, error) {
	out, err := r.Run(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	if exitCode(err) == 1 {
		return "", nil
	}
	return "", fmt.Errorf("reading the current branch: %w", err)
}

// DefaultBranch returns the short name of the default branch: what
// origin/HEAD points at, else main, else master, as a remote-tracking or a
// local branch. It is ErrNoDefaultBranch when there is none.
func (r Repo) DefaultBranch(ctx context.Context) (string, error) {
	out, err := r.Run(ctx, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
	if err == nil {
		return strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/origin/"), nil
	}
	for _, name := range []string{"main", "master"} {
		if ref, err := r.BranchRef(ctx, name); err == nil && ref != "" {
			return name, nil
		}
	}
	return "", ErrNoDefaultBranch
}

// BranchRef returns the full ref of branch name: refs/remotes/origin/NAME
// when it exists (it is what CI fetched), else refs/heads/NAME, else "".
func (r Repo) BranchRef(ctx context.Context, name string) (string, error) {
	for _, ref := range []string{"refs/remotes/origin/" + name, "refs/heads/" + name} {
		_, err := r.Run(ctx, "show-ref", "--verify", "--quiet", ref)
		if err == nil {
			return ref, nil
		}
		if exitCode(err) != 1 {
			return "", fmt.Errorf("looking up branch %s: %w", name, err)
		}
	}
	return "", nil
}

// HasRemote reports whether the repository has a remote called name.
func (r Repo) HasRemote(ctx context.Context, name string) bool {
	_, err := r.Run(ctx, "config", "--get", "remote."+name+".url")
	return err == nil
}

// IsShallow reports whether the repository is a shallow clone.
func (r Repo) IsShallow(ctx context.Context) (bool, error) {
	out, err := r.Run(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, fmt.Errorf("checking for a shallow clone: %w", err)
	}
	return strings.TrimSpace(string(out)) == "true", nil
}

// Fetch fetches refspecs (branch names, refs or commit ids) from remote
// without tags (`git fetch --no-tags`). A depth above zero makes a shallow
// fetch of that many commits.
func (r Repo) Fetch(ctx context.Context, remote string, depth int, refspecs ...string) error {
	args := []string{"fetch", "--quiet", "--no-tags", "--no-write-fetch-head"}
	if depth > 0 {
		args = append(args, "--depth="+strconv.Itoa(depth))
	}
	args = append(args, "--end-of-options", remote)
	args = append(args, refspecs...)
	if _, err := r.Run(ctx, args...); err != nil {
		return fmt.Errorf("fetching from %s: %w", remote, err)
	}
	return nil
}

// FetchHead fetches one ref or commit id from remote with the given depth
// and returns the commit it names (`git fetch` then FETCH_HEAD). A ref the
// remote does not have is ErrUnknownRev with exit code 2.
func (r Repo) FetchHead(ctx context.Context, remote, rev string, depth int) (string, error) {
	args := []string{"fetch", "--quiet", "--no-tags"}
	if depth > 0 {
		args = append(args, "--depth="+strconv.Itoa(depth))
	}
	_, err := r.Run(ctx, append(args, "--end-of-options", remote, rev)...)
	if err != nil && strings.Contains(stderrOf(err), "couldn't find remote ref") {
		err = fmt.Errorf("%w %q: not in the repository, and %s has no such ref",
			ErrUnknownRev, rev, remote)
		return "", exit.With(exit.Usage, err)
	}
	if err != nil {
		return "", fmt.Errorf("fetching %s from %s: %w", rev, remote, err)
	}
	return r.RevParse(ctx, "FETCH_HEAD")
}

// Deepen fetches n more commits of history below the shallow boundary of
// revs from remote (`git fetch --deepen=n`).
func (r Repo) Deepen(ctx context.Context, remote string, n int, revs ...string) error {
	args := []string{"fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		"--deepen=" + strconv.Itoa(n), "--end-of-options", remote}
	if _, err := r.Run(ctx, append(args, revs...)...); err != nil {
		return fmt.Errorf("deepening the clone by %d commits: %w", n, err)
	}
	return nil
}

// EmptyTree returns the id of the empty tree in the repository's object
// format, the base to diff a commit against to list all its files as added.
func (r Repo) EmptyTree(ctx context.Context) (string, error) {
	out, err := r.Run(ctx, "hash-object", "-t", "tree", "/dev/null")
	if err != nil {
		return "", fmt.Errorf("hashing the empty tree: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
