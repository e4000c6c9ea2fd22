package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// service is a running prediction service: a shell running the configured
// command in its own process group, its first and last lines of output, and a
// watcher that samples its processes' memory and remembers every process it
// started.
type service struct {
	side string
	line string
	host string
	port int
	pid  int
	out  *tail
	log  *slog.Logger

	// done is closed when the shell has exited; state is then its status.
	done  chan struct{}
	state *os.ProcessState

	watch    *watcher
	stopOnce sync.Once
	stopped  stopResult
	outRead  *os.File
	outDone  chan struct{}
}

// freePort returns a loopback port that was free a moment ago.
//
// TODO: another process may take the port between this check and the
// service's bind; the service then fails its ready check and says so.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startService starts line with `sh -c` in dir with PORT=port in its
// environment, in a new process group.
func startService(side, line, dir, host string, port int, log *slog.Logger) (*service, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting the %s service: %w", side, err)
	}
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = procAttr()
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("starting the %s service `%s`: %w", side, line, err)
	}

	s := &service{side: side, line: line, host: host, port: port, pid: cmd.Process.Pid,
		out: newTail(20), log: log, done: make(chan struct{}), outRead: r,
		outDone: make(chan struct{})}
	go s.readOutput()
	go func() {
		_ = cmd.Wait()
		s.state = cmd.ProcessState
		close(s.done)
	}()
	s.watch = newWatcher(s.pid)
	go s.watch.run()
	log.Debug("service started", "side", side, "pid", s.pid, "port", port, "cmd", line)
	return s, nil
}

func (s *service) readOutput() {
	defer close(s.outDone)
	_, _ = io.Copy(s.out, s.outRead)
}

// exited reports whether the shell has exited.
func (s *service) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// status describes how the shell exited.
func (s *service) status() string {
	if s.state == nil {
		return "is running"
	}
	if ws, ok := s.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "was killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exited with status %d", s.state.ExitCode())
}

// waitReady waits until url answers 200 (or, when url is "", the port
// accepts connections), the timeout passes or the service exits. It returns
// how long the service took, or an error saying what went wrong with the
// service's first and last lines of output.
func (s *service) waitReady(ctx context.Context, c *client, url string,
	timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(timeout)
	last := "nothing answered"
	for {
		ok, why := s.probe(ctx, c, url, time.Until(deadline))
		if ok {
			return time.Since(start), nil
		}
		if why != "" {
			last = why
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-s.done:
			return time.Since(start), s.failure("%s before it was ready", s.status())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return time.Since(start), s.notReady(url, timeout, last)
		}
	}
}

// probe tries the ready check once.
func (s *service) probe(ctx context.Context, c *client, url string,
	left time.Duration) (bool, string) {
	if left <= 0 {
		return false, ""
	}
	wait := min(left, 2*time.Second)
	if url == "" {
		conn, err := net.DialTimeout("tcp", s.addr(), wait)
		if err != nil {
			return false, errorText(err)
		}
		conn.Close()
		return true, ""
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := c.Do(req)
	if err != nil && ctx.Err() != nil {
		return false, "" // cut short by the timeout; what came before says more
	}
	if err != nil {
		return false, errorText(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Sprintf("%s answered HTTP %d", url, resp.StatusCode)
	}
	return true, ""
}

func (s *service) addr() string {
	return net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

// notReady explains a service that did not become ready: when it listens
// on other ports than the one it was given, it says so.
func (s *service) notReady(url string, timeout time.Duration, last string) error {
	if ports := otherPorts(s.watch.listening(), s.port); len(ports) > 0 {
		return s.failure("listens on port %s, not on the port it was given "+
			"(PORT=%d, $PORT in the command)", ports, s.port)
	}
	what := "did not accept connections on port " + strconv.Itoa(s.port)
	if url != "" {
		what = "did not answer 200 at " + url
	}
	return s.failure("%s within %s (last: %s)", what, timeout, last)
}

func otherPorts(ports []int, given int) string {
	var out []string
	for _, p := range ports {
		if p != given {
			out = append(out, strconv.Itoa(p))
		}
	}
	for _, p := range ports {
		if p == given {
			return ""
		}
	}
	return strings.Join(out, ", ")
}

// failure is an error about the service, with its first and last lines of output.
func (s *service) failure(format string, args ...any) error {
	msg := fmt.Sprintf("the %s service `%s` %s", s.side, s.line, fmt.Sprintf(format, args...))
	if lines := s.out.lines(); len(lines) > 0 {
		msg += "; its output (first and last lines):\n" + strings.Join(lines, "\n")
	}
	return errors.New(msg)
}

// errorText shortens a connection error to its cause.
func errorText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// stopResult is how a service ended.
type stopResult struct {
	// crashed is the shell's status when it exited before it was stopped.
	crashed string
	grace   time.Duration
	// lingered are the processes still running in the service's process
	// group the grace time after SIGTERM; the shell among them, if it is.
	lingered []proc
	// leftover are the processes the service started outside its process
	// group that were still running when the group was gone.
	leftover []proc
}

// problem describes what the service did wrong, "" for nothing.
func (r stopResult) problem() string {
	var out []string
	if r.crashed != "" {
		out = append(out, "the service "+r.crashed+" while it was being checked")
	}
	if len(r.lingered) > 0 {
		out = append(out, fmt.Sprintf("%s still running %s after SIGTERM, killed by mlci: %s",
			count(len(r.lingered), "process", "processes"), r.grace, procList(r.lingered)))
	}
	if len(r.leftover) > 0 {
		out = append(out, fmt.Sprintf("it left %s running outside its process group after "+
			"it exited, killed by mlci: %s", count(len(r.leftover), "process", "processes"),
			procList(r.leftover)))
	}
	return strings.Join(out, "; ")
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func procList(ps []proc) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return strings.Join(names, "; ")
}

func (r stopResult) describe() string {
	return "stopped cleanly on SIGTERM"
}

// stop ends the service: SIGTERM to its process group; SIGKILL to what of
// the group is still running after the grace time; then SIGKILL to what it
// started outside the group and left running. It is safe to call more than
// once; later calls return the first call's result.
func (s *service) stop(grace time.Duration) stopResult {
	s.stopOnce.Do(func() { s.stopped = s.terminate(grace) })
	return s.stopped
}

func (s *service) terminate(grace time.Duration) stopResult {
	r := stopResult{grace: grace}
	if s.exited() {
		r.crashed = s.status()
	} else {
		s.watch.sample()
	}
	_ = syscall.Kill(-s.pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	select {
	case <-s.done:
	case <-time.After(grace):
	}
	s.watch.stop()

	r.lingered = s.watch.group(s.pid, time.Until(deadline))
	_ = syscall.Kill(-s.pid, syscall.SIGKILL)
	<-s.done
	s.watch.waitGone(r.lingered, grace)

	r.leftover = s.watch.escaped(s.pid)
	for _, p := range r.leftover {
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
	}
	s.watch.waitGone(r.leftover, grace)

	s.closeOutput()
	s.log.Debug("service stopped", "side", s.side, "pid", s.pid, "status", s.status(),
		"lingered", len(r.lingered), "leftover", len(r.leftover))
	return r
}

// closeOutput stops reading the output once every writer has gone, or soon
// after if one is stuck.
func (s *service) closeOutput() {
	select {
	case <-s.outDone:
	case <-time.After(200 * time.Millisecond):
	}
	s.outRead.Close()
	<-s.outDone
}

func (s *service) peakMB() float64 { return s.watch.peakMB() }

// tail keeps the first and the last lines written to it: a service's first
// lines usually say how it started, its last ones how it failed.
type tail struct {
	mu      sync.Mutex
	first   int
	max     int
	head    []string
	ring    []string
	dropped int
	partial []byte
}

// newTail keeps the first lines written and the last n; first is a quarter
// of n, so a failing service's traceback cannot push out its start-up lines.
func newTail(n int) *tail { return &tail{first: n / 4, max: n} }

// maxKept bounds a kept line, so output without newlines cannot grow memory.
const maxKept = 2048

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range b {
		if c == '\n' {
			t.push(string(t.partial))
			t.partial = t.partial[:0]
			continue
		}
		if len(t.partial) < maxKept {
			t.partial = append(t.partial, c)
		}
	}
	return len(b), nil
}

func (t *tail) push(line string) {
	line = strings.TrimRight(line, "\r")
	if len(t.head) < t.first {
		t.head = append(t.head, line)
		return
	}
	t.ring = append(t.ring, line)
	if len(t.ring) > t.max {
		t.dropped += len(t.ring) - t.max
		t.ring = t.ring[len(t.ring)-t.max:]
	}
}

// lines returns the kept lines, the unfinished last one included, with a
// line saying how many were left out between the first and the last.
func (t *tail) lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	last := append([]string(nil), t.ring...)
	if len(t.partial) > 0 {
		last = append(last, string(t.partial))
	}
	dropped := t.dropped
	if len(last) > t.max {
		dropped += len(last) - t.max
		last = last[len(last)-t.max:]
	}
	out := append([]string(nil), t.head...)
	switch {
	case dropped == 1:
		out = append(out, "[1 line left out]")
	case dropped > 1:
		out = append(out, fmt.Sprintf("[%d lines left out]", dropped))
	}
	return append(out, last...)
}
