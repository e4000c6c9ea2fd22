package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrRejected means the remote refused a push: a tag of that name exists
// there already, or a branch or notes ref moved on since it was fetched.
var ErrRejected = errors.New("push rejected")

// DeleteTag deletes the local tag name (`git tag --delete`).
func (r Repo) DeleteTag(ctx context.Context, name string) error {
	if _, err := r.Run(ctx, "tag", "--delete", "--end-of-options", name); err != nil {
		return fmt.Errorf("deleting tag %s: %w", name, err)
	}
	return nil
}

// PushAtomic pushes refs (full names such as refs/tags/churn@v1.0.0) to the
// same names on remote in one transaction (`git push --atomic`): all are
// updated or none. Tags are never forced, so a tag that exists on the remote
// with another object makes the whole push fail with an error matching
// ErrRejected, as does a ref the remote moved on; a tag that exists there
// with the same object is up to date.
func (r Repo) PushAtomic(ctx context.Context, remote string, refs ...string) error {
	args := []string{"push", "--atomic", "--porcelain", "--end-of-options", remote}
	for _, ref := range refs {
		args = append(args, ref+":"+ref)
	}

	var out bytes.Buffer
	err := r.run(ctx, runOptions{stdout: &out}, args...)
	if err == nil {
		return nil
	}
	if rejected := rejectedRefs(out.String()); len(rejected) > 0 {
		return fmt.Errorf("pushing to %s: %w: %s", Redact(remote), ErrRejected,
			strings.Join(rejected, "; "))
	}
	return fmt.Errorf("pushing to %s: %w", Redact(remote), err)
}

// rejectedRefs reads `git push --porcelain` output and returns "ref (reason)"
// for every ref the remote rejected (flag "!"), the atomic transaction's
// collateral failures excluded.
func rejectedRefs(out string) []string {
	var refs []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 3 || f[0] != "!" || strings.Contains(f[2], "atomic push failed") {
			continue
		}
		src, _, _ := strings.Cut(f[1], ":")
		refs = append(refs, src+" "+f[2])
	}
	return refs
}

// FetchTags fetches every tag of remote, replacing local tags of the same
// name that differ (`git fetch remote +refs/tags/*:refs/tags/*`). Local
// tags the remote lacks are kept.
//
// TODO: in a shallow clone this fetches the full history of tagged commits
// that the clone lacks; a depth per tag would keep it small.
func (r Repo) FetchTags(ctx context.Context, remote string) error {
	_, err := r.Run(ctx, "fetch", "--quiet", "--no-write-fetch-head", "--end-of-options",
		remote, "+refs/tags/*:refs/tags/*")
	if err != nil {
		return fmt.Errorf("fetching tags from %s: %w", Redact(remote), err)
	}
	return nil
}

// FetchRef fetches ref of remote into the local ref dst, replacing it. A
// ref the remote does not have leaves dst alone and returns false.
func (r Repo) FetchRef(ctx context.Context, remote, ref, dst string) (bool, error) {
	_, err := r.Run(ctx, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		"--end-of-options", remote, "+"+ref+":"+dst)
	if err != nil && strings.Contains(stderrOf(err), "couldn't find remote ref") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("fetching %s from %s: %w", ref, Redact(remote), err)
	}
	return true, nil
}

// MergeNotes merges the notes of ref into NotesRef, keeping the lines of
// both sides for a commit that each annotated (`git notes merge -s
// cat_sort_uniq`): notes written as one record per line lose nothing.
func (r Repo) MergeNotes(ctx context.Context, ref string) error {
	o := runOptions{env: r.identity(ctx)}
	err := r.run(ctx, o, "notes", "--ref="+NotesRef, "merge", "--quiet",
		"--strategy=cat_sort_uniq", "--end-of-options", ref)
	if err != nil {
		return fmt.Errorf("merging notes from %s: %w", ref, err)
	}
	return nil
}

// Note is one of mlci's notes: the blob that holds it and the commit it
// annotates.
type Note struct {
	Object string
	Commit string
}

// Notes lists mlci's notes (`git notes list`). A repository without notes
// has none.
func (r Repo) Notes(ctx context.Context) ([]Note, error) {
	var notes []Note
	err := r.Stream(ctx, func(out io.Reader) error {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			obj, commit, ok := strings.Cut(sc.Text(), " ")
			if !ok {
				return fmt.Errorf("unexpected git notes list line %q", sc.Text())
			}
			notes = append(notes, Note{Object: obj, Commit: commit})
		}
		return sc.Err()
	}, "notes", "--ref="+NotesRef, "list")
	if err != nil {
		return nil, fmt.Errorf("listing notes: %w", err)
	}
	return notes, nil
}

// CreateTagAt creates the annotated tag name at rev with message, like
// CreateTag, with the tagger date at (whole seconds) instead of now.
func (r Repo) CreateTagAt(ctx context.Context, name, rev, message string, at time.Time) error {
	env := append(r.identity(ctx), fmt.Sprintf("GIT_COMMITTER_DATE=@%d +0000", at.Unix()))
	o := runOptions{stdin: strings.NewReader(message), env: env}
	err := r.run(ctx, o, "tag", "--annotate", "--file=-", "--end-of-options", name, rev)
	if err != nil {
		return fmt.Errorf("creating tag %s: %w", name, err)
	}
	return nil
}
