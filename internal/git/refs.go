package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// NotesRef is where mlci keeps its run records as git notes.
const NotesRef = "refs/notes/mlci"

// Ref is a ref with what it points at.
type Ref struct {
	// Name is the full ref name, refs/tags/model@v1.0.0 say.
	Name string
	// Object is the id the ref points at (the tag object for an annotated tag).
	Object string
	// Commit is the commit the ref leads to, annotated tags peeled.
	Commit string
	// Type is the type of Object: commit or tag.
	Type string
	// Date is the tagger date of an annotated tag, else the committer date.
	Date time.Time
	// Message is the annotated tag's message, else the commit message.
	Message string
}

// Short returns the name without refs/tags/, refs/heads/ or refs/remotes/.
func (f Ref) Short() string {
	for _, p := range []string{"refs/tags/", "refs/heads/", "refs/remotes/"} {
		if s, ok := strings.CutPrefix(f.Name, p); ok {
			return s
		}
	}
	return f.Name
}

// refFormat separates fields by NUL; a message may hold newlines but not NUL.
const refFormat = "%(refname)%00%(objectname)%00%(*objectname)%00%(objecttype)%00" +
	"%(creatordate:unix)%00%(contents)%00"

// ForEachRef returns the refs that match patterns (`git for-each-ref`),
// sorted by name. A pattern is a ref prefix (refs/tags) or a glob.
func (r Repo) ForEachRef(ctx context.Context, patterns ...string) ([]Ref, error) {
	var refs []Ref
	args := append([]string{"for-each-ref", "--format=" + refFormat, "--"}, patterns...)
	err := r.Stream(ctx, func(out io.Reader) error {
		rd := bufio.NewReader(out)
		for {
			ref, err := readRef(rd)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			refs = append(refs, ref)
		}
	}, args...)
	if err != nil {
		return nil, fmt.Errorf("listing refs: %w", err)
	}
	return refs, nil
}

func readRef(rd *bufio.Reader) (Ref, error) {
	var f [6]string
	for i := range f {
		b, err := readField(rd)
		if errors.Is(err, io.EOF) && i == 0 && len(b) == 0 {
			return Ref{}, io.EOF
		}
		if err != nil {
			return Ref{}, fmt.Errorf("reading git for-each-ref output: %w", err)
		}
		f[i] = string(b)
	}
	if nl, err := rd.ReadByte(); err != nil || nl != '\n' {
		return Ref{}, fmt.Errorf("reading git for-each-ref output: record not ended by a newline")
	}
	ref := Ref{Name: f[0], Object: f[1], Commit: f[2], Type: f[3], Message: f[5]}
	if ref.Commit == "" {
		ref.Commit = ref.Object
	}
	if sec, err := strconv.ParseInt(f[4], 10, 64); err == nil {
		ref.Date = time.Unix(sec, 0).UTC()
	}
	return ref, nil
}

// Tags returns the tags that match the glob pattern (all when ""), sorted by name.
func (r Repo) Tags(ctx context.Context, pattern string) ([]Ref, error) {
	if pattern == "" {
		return r.ForEachRef(ctx, "refs/tags")
	}
	return r.ForEachRef(ctx, "refs/tags/"+pattern)
}

// CreateTag creates tag name at rev (`git tag`), annotated when message is
// not empty. An existing tag is an error.
func (r Repo) CreateTag(ctx context.Context, name, rev, message string) error {
	args := []string{"tag"}
	if message != "" {
		args = append(args, "--annotate", "--file=-")
	}
	args = append(args, "--end-of-options", name, rev)
	err := r.run(ctx, runOptions{stdin: strings.NewReader(message), env: r.identity(ctx)}, args...)
	if err != nil {
		return fmt.Errorf("creating tag %s: %w", name, err)
	}
	return nil
}

// Push pushes refspecs to remote (`git push`).
func (r Repo) Push(ctx context.Context, remote string, refspecs ...string) error {
	args := append([]string{"push", "--quiet", "--end-of-options", remote}, refspecs...)
	if _, err := r.Run(ctx, args...); err != nil {
		return fmt.Errorf("pushing to %s: %w", Redact(remote), err)
	}
	return nil
}

// ReadNote returns mlci's note on commit rev (under NotesRef). A commit
// without a note is an error that matches fs.ErrNotExist.
func (r Repo) ReadNote(ctx context.Context, rev string) ([]byte, error) {
	out, err := r.Run(ctx, "notes", "--ref="+NotesRef, "show", rev)
	if err == nil {
		return out, nil
	}
	if strings.Contains(stderrOf(err), "no note found") {
		return nil, fmt.Errorf("reading the note on %s: %w", short(rev), fs.ErrNotExist)
	}
	return nil, fmt.Errorf("reading the note on %s: %w", short(rev), err)
}

// WriteNote sets mlci's note on commit rev to data, replacing any
// (`git notes add -f`).
func (r Repo) WriteNote(ctx context.Context, rev string, data []byte) error {
	o := runOptions{stdin: bytes.NewReader(data), env: r.identity(ctx)}
	err := r.run(ctx, o, "notes", "--ref="+NotesRef, "add", "--force", "--file=-", rev)
	if err != nil {
		return fmt.Errorf("writing the note on %s: %w", short(rev), err)
	}
	return nil
}

// Commit records the given paths (all their changes, deletions included)
// with message and returns the new commit's id. Without paths it commits
// what is already staged.
func (r Repo) Commit(ctx context.Context, message string, paths ...string) (string, error) {
	if len(paths) > 0 {
		args := append([]string{"add", "--all", "--"}, paths...)
		if _, err := r.Run(ctx, args...); err != nil {
			return "", fmt.Errorf("staging %s: %w", strings.Join(paths, ", "), err)
		}
	}
	o := runOptions{stdin: strings.NewReader(message), env: r.identity(ctx)}
	if err := r.run(ctx, o, "commit", "--quiet", "--file=-"); err != nil {
		return "", fmt.Errorf("committing: %w", err)
	}
	return r.Head(ctx)
}

// identity returns a fallback author and committer for commands that record
// one, used when git has none configured (a fresh CI runner).
func (r Repo) identity(ctx context.Context) []string {
	if os.Getenv("GIT_AUTHOR_EMAIL") != "" && os.Getenv("GIT_COMMITTER_EMAIL") != "" {
		return nil
	}
	if _, err := r.Run(ctx, "config", "user.email"); err == nil {
		return nil
	}
	return []string{
		"GIT_AUTHOR_NAME=mlci", "GIT_AUTHOR_EMAIL=mlci@users.noreply.localhost",
		"GIT_COMMITTER_NAME=mlci", "GIT_COMMITTER_EMAIL=mlci@users.noreply.localhost",
	}
}
