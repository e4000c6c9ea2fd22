// Package git runs the git command line on a repository: revisions, diffs,
// file contents at a revision, shallow-clone deepening, refs, tags and notes.
//
// It execs the real `git` (no reimplementation), with prompts disabled and a
// fixed locale so that output and messages can be parsed. Errors carry the
// first line of git's stderr and an exit code: an unknown revision is a usage
// error (2), any other git failure an external one (3). It does not decide
// which revisions to compare; the changes package does.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
)

// Sentinel errors, found with errors.Is.
var (
	// ErrUnknownRev is a revision that does not name a commit in the repository.
	ErrUnknownRev = errors.New("unknown revision")
	// ErrNoMergeBase means two commits share no history the repository holds.
	ErrNoMergeBase = errors.New("no merge base")
	// ErrNoDefaultBranch means neither origin/HEAD nor a main or master branch exists.
	ErrNoDefaultBranch = errors.New("no default branch")
)

// Repo is a git work tree (or a subdirectory of one) that commands run in.
// The zero value runs in the current directory.
type Repo struct {
	// Dir is the directory git runs in, as `git -C Dir`.
	Dir string
	// Env holds extra KEY=value entries for every command, after the defaults.
	Env []string
}

// Error is a git command that failed.
type Error struct {
	// Args are the command's arguments after `git`, credentials removed.
	Args []string
	// Stderr is the first line of git's stderr, credentials removed.
	Stderr string
	// ExitCode is git's exit status, -1 when it did not run.
	ExitCode int
	// Err is the underlying error from running the process.
	Err error
}

// Error returns "git ARGS: STDERR".
func (e *Error) Error() string {
	msg := e.Stderr
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

// Unwrap returns the process error.
func (e *Error) Unwrap() error { return e.Err }

// runOptions tune one command.
type runOptions struct {
	stdin  io.Reader
	stdout io.Writer
	env    []string
}

// Run runs `git ARGS` and returns its standard output. A failure is an
// *Error with exit code 3.
func (r Repo) Run(ctx context.Context, args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := r.run(ctx, runOptions{stdout: &out}, args...)
	return out.Bytes(), err
}

// Stream runs `git ARGS` and hands its standard output to read while it
// runs, so that large outputs are parsed without being held in memory. The
// command is killed if read returns an error.
func (r Repo) Stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cmd, stderr := r.command(ctx, runOptions{}, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return exit.With(exit.External, newError(args, "", err))
	}
	if err := cmd.Start(); err != nil {
		return exit.With(exit.External, newError(args, "", err))
	}

	readErr := read(out)
	if readErr != nil {
		cancel()
	} else {
		_, _ = io.Copy(io.Discard, out)
	}
	waitErr := cmd.Wait()
	if readErr != nil {
		return readErr
	}
	if waitErr != nil {
		return failure(newError(args, stderr.String(), waitErr))
	}
	return nil
}

func (r Repo) run(ctx context.Context, o runOptions, args ...string) error {
	cmd, stderr := r.command(ctx, o, args...)
	if err := cmd.Run(); err != nil {
		return failure(newError(args, stderr.String(), err))
	}
	return nil
}

// failure gives a failed command its exit code: running outside a
// repository is the user's mistake (2), anything else an external one (3).
func failure(e *Error) error {
	if strings.Contains(e.Stderr, "not a git repository") {
		return exit.With(exit.Usage, e)
	}
	return exit.With(exit.External, e)
}

// command prepares `git -C Dir ARGS` with mlci's environment; its stderr
// goes to the returned buffer.
func (r Repo) command(ctx context.Context, o runOptions, args ...string) (*exec.Cmd,
	*bytes.Buffer) {
	full := append([]string{"-c", "core.quotepath=off"}, args...)
	if r.Dir != "" {
		full = append([]string{"-C", r.Dir}, full...)
	}
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_PAGER=cat")
	cmd.Env = append(append(cmd.Env, r.Env...), o.env...)
	cmd.Stdin = o.stdin
	cmd.Stdout = o.stdout
	stderr := &bytes.Buffer{}
	cmd.Stderr = &limitedWriter{w: stderr, n: 64 << 10}
	return cmd, stderr
}

func newError(args []string, stderr string, err error) *Error {
	e := &Error{Args: make([]string, len(args)), ExitCode: -1, Err: err}
	for i, a := range args {
		e.Args[i] = Redact(a)
	}
	e.Stderr = Redact(firstLine(stderr))
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		e.ExitCode = ee.ExitCode()
	}
	return e
}

// exitCode returns the exit status of a failed git command, or -1.
func exitCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.ExitCode
	}
	return -1
}

// stderrOf returns the first stderr line of a failed git command.
func stderrOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Stderr
	}
	return ""
}

// firstLine returns the first non-empty line of s, prefering a line that
// starts with "fatal:" or "error:" because warnings often come first.
func firstLine(s string) string {
	var first string
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "fatal:") || strings.HasPrefix(line, "error:") {
			return line
		}
		if first == "" {
			first = line
		}
	}
	return first
}

var credentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@`)

// Redact removes user names and passwords from the URLs in s, so that a
// message about a remote never shows a token.
func Redact(s string) string {
	return credentials.ReplaceAllString(s, "${1}***@")
}

// limitedWriter keeps the first n bytes written to it and drops the rest,
// so a chatty command cannot fill memory with its stderr.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
