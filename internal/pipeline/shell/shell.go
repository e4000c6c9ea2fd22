// Package shell runs one command line with `sh -c` in its own process group,
// streams its output, keeps its last lines for error messages, and kills the
// whole group (not just the shell) on timeout or interrupt.
//
// It knows nothing of stages or tests; packages pipeline and its callers
// decide what to run and what a failure means.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Grace is how long a command has to exit after SIGTERM before the whole
// process group gets SIGKILL.
const Grace = 5 * time.Second

// TailLines is how many of the last output lines a Result keeps.
const TailLines = 20

// Command is a command line to run.
type Command struct {
	// Line is given to `sh -c`.
	Line string
	// Dir is the working directory.
	Dir string
	// Env is the environment; nil inherits mlci's.
	Env []string
	// Timeout bounds the run; zero means none.
	Timeout time.Duration
	// Output receives stdout and stderr, interleaved; nil discards them.
	Output io.Writer
}

// Result is how a command ended.
type Result struct {
	// ExitCode is the exit status; -1 when a signal ended the command.
	ExitCode int
	Duration time.Duration
	// Tail are the last lines of output.
	Tail []string
}

// ExitError is a command that did not exit with status 0.
type ExitError struct {
	Line     string
	ExitCode int
	// TimedOut is true when the command ran out of its Timeout.
	TimedOut bool
	Timeout  time.Duration
	// Interrupted is true when the context was cancelled.
	Interrupted bool
}

// Error says how the command ended: timed out, interrupted, or its status.
func (e *ExitError) Error() string {
	switch {
	case e.TimedOut:
		return fmt.Sprintf("`%s` timed out after %s and was killed", e.Line, e.Timeout)
	case e.Interrupted:
		return fmt.Sprintf("`%s` was interrupted", e.Line)
	case e.ExitCode == 127:
		return fmt.Sprintf("`%s` exited with status 127 (command not found)", e.Line)
	default:
		return fmt.Sprintf("`%s` exited with status %d", e.Line, e.ExitCode)
	}
}

// Run runs c and waits for it. A command that cannot start, or does not exit
// with 0, returns an error (an *ExitError for the latter) beside its Result.
func Run(ctx context.Context, c Command) (Result, error) {
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if c.Timeout > 0 {
		runCtx, cancel = context.WithTimeout(ctx, c.Timeout)
	}
	defer cancel()

	tail := &tailWriter{max: TailLines}
	cmd := exec.CommandContext(runCtx, "sh", "-c", c.Line)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	out := io.Writer(tail)
	if c.Output != nil {
		out = io.MultiWriter(c.Output, tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = Grace

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{ExitCode: -1}, fmt.Errorf("starting `%s`: %w", c.Line, err)
	}
	err := cmd.Wait()
	if runCtx.Err() != nil {
		// Whatever the shell left behind goes with it.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	res := Result{ExitCode: cmd.ProcessState.ExitCode(), Duration: time.Since(start),
		Tail: tail.lines()}
	return res, exitError(c, err, ctx, runCtx)
}

func exitError(c Command, err error, ctx, runCtx context.Context) error {
	if err == nil {
		return nil
	}
	e := &ExitError{Line: c.Line, ExitCode: -1, Timeout: c.Timeout}
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		e.ExitCode = xe.ExitCode()
	}
	switch {
	case ctx.Err() != nil:
		e.Interrupted = true
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		e.TimedOut = true
	case e.ExitCode < 0 && xe == nil:
		return fmt.Errorf("running `%s`: %w", c.Line, err)
	}
	return e
}

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	max     int
	ring    []string
	partial []byte
}

// maxLine bounds a kept line, so a command printing without newlines cannot
// grow memory.
const maxLine = 4096

func (t *tailWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := strings.IndexByte(string(b), '\n')
		if i < 0 {
			t.partial = append(t.partial, b...)
			if len(t.partial) > maxLine {
				t.partial = t.partial[len(t.partial)-maxLine:]
			}
			break
		}
		t.push(string(append(t.partial, b[:i]...)))
		t.partial = t.partial[:0]
		b = b[i+1:]
	}
	return n, nil
}

func (t *tailWriter) push(line string) {
	line = strings.TrimRight(line, "\r")
	if len(line) > maxLine {
		line = line[len(line)-maxLine:]
	}
	t.ring = append(t.ring, line)
	if len(t.ring) > t.max {
		t.ring = t.ring[len(t.ring)-t.max:]
	}
}

func (t *tailWriter) lines() []string {
	if len(t.partial) > 0 {
		t.push(string(t.partial))
		t.partial = nil
	}
	return t.ring
}
