package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mlci-dev/mlci/internal/progress"
)

// console decides where a stage's output goes. The first stage to start
// holds the console and streams its output live, in its log group; a stage
// that runs beside it buffers its output and prints it as one group when it
// ends, or when the live stage ends if that is later. A linear pipeline thus
// streams live, and parallel stages never interleave their lines.
type console struct {
	pr   *progress.Printer
	copy io.Writer // also receives all command output, when set

	mu      sync.Mutex
	busy    bool
	pending []func()
}

func newConsole(opts RunOptions) *console {
	c := &console{pr: opts.Printer}
	if opts.Output != nil {
		c.copy = &lockedWriter{w: opts.Output}
	}
	return c
}

// stageOut is where one stage writes.
type stageOut struct {
	c           *console
	name, title string
	start       time.Time
	live        *progress.Group
	buf         *bytes.Buffer
}

// start begins the output of a stage.
func (c *console) start(name, title string) *stageOut {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &stageOut{c: c, name: name, title: title, start: time.Now()}
	if c.busy {
		s.buf = &bytes.Buffer{}
		return s
	}
	c.busy = true
	s.live = c.pr.Start(name, title)
	return s
}

// maxBuffered bounds the output kept for a stage that runs in parallel; the
// start is dropped beyond it.
const maxBuffered = 8 << 20

// Write writes command output.
func (s *stageOut) Write(b []byte) (int, error) {
	if s.c.copy != nil {
		_, _ = s.c.copy.Write(b)
	}
	if s.live != nil {
		return s.live.Write(b)
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.buf.Write(b)
	if s.buf.Len() > maxBuffered {
		s.buf.Next(s.buf.Len() - maxBuffered/2)
	}
	return len(b), nil
}

// Linef writes a line of mlci's own about the stage.
func (s *stageOut) Linef(format string, args ...any) {
	line := fmt.Sprintf(format+"\n", args...)
	if s.live != nil {
		s.live.Linef("%s", line[:len(line)-1])
		return
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.buf.WriteString(line)
}

// end closes the stage's output with its outcome.
func (s *stageOut) end(outcome string) time.Duration {
	c := s.c
	if s.live != nil {
		took := s.live.End(outcome)
		c.mu.Lock()
		pending := c.pending
		c.pending, c.busy = nil, false
		c.mu.Unlock()
		for _, print := range pending {
			print()
		}
		return took
	}

	took := time.Since(s.start)
	print := func() { c.pr.Replay(s.name, s.title, s.buf.Bytes(), outcome, took) }
	c.mu.Lock()
	if c.busy {
		c.pending = append(c.pending, print)
		c.mu.Unlock()
		return took
	}
	c.mu.Unlock()
	print()
	return took
}

// lockedWriter serialises writes from parallel stages.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
