//go:build linux

package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procAttr puts the service in its own process group, and has the kernel
// kill its shell if mlci dies without a chance to stop it.
//
// TODO: a `kill -9` of mlci still leaves the shell's children running; a
// child subreaper (PR_SET_CHILD_SUBREAPER) would catch them but changes
// how every other child of mlci is reaped.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// sampleEvery is how often the watcher samples the service's processes.
const sampleEvery = 100 * time.Millisecond

// proc is a process the service started.
type proc struct {
	pid   int
	start uint64 // start time in clock ticks since boot, to tell reused pids apart
	cmd   string
}

// String returns the process's id and command line.
func (p proc) String() string { return fmt.Sprintf("pid %d `%s`", p.pid, p.cmd) }

// watcher samples a service's processes from /proc while it runs: the sum
// of their peak resident memory (VmHWM), and every process the service
// started, so that those which leave its process group are still found.
type watcher struct {
	leader int

	mu     sync.Mutex
	known  map[int]proc
	peakKB int64

	quit, done chan struct{}
	once       sync.Once
}

func newWatcher(leader int) *watcher {
	return &watcher{leader: leader, known: map[int]proc{}, quit: make(chan struct{}),
		done: make(chan struct{})}
}

// run samples until stop is called.
func (w *watcher) run() {
	defer close(w.done)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		w.sample()
		select {
		case <-w.quit:
			return
		case <-t.C:
		}
	}
}

// stop ends run.
func (w *watcher) stop() {
	w.once.Do(func() {
		close(w.quit)
		<-w.done
	})
}

// sample walks the leader's descendants (through each thread's children
// file) and sums their VmHWM.
func (w *watcher) sample() {
	var kb int64
	queue := []int{w.leader}
	seen := map[int]bool{}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		hwm, ok := statusKB(pid, "VmHWM:")
		if !ok {
			continue
		}
		kb += hwm
		w.remember(pid)
		queue = append(queue, children(pid)...)
	}

	w.mu.Lock()
	w.peakKB = max(w.peakKB, kb)
	w.mu.Unlock()
}

func (w *watcher) remember(pid int) {
	w.mu.Lock()
	_, ok := w.known[pid]
	w.mu.Unlock()
	if ok {
		return
	}
	st, ok := readStat(pid)
	if !ok {
		return
	}
	w.mu.Lock()
	w.known[pid] = proc{pid: pid, start: st.start, cmd: cmdline(pid)}
	w.mu.Unlock()
}

func (w *watcher) peakMB() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return float64(w.peakKB) / 1024
}

// group returns the running members of process group pgid, the shell
// among them if it has not been reaped, once they have all exited or wait
// has passed.
func (w *watcher) group(pgid int, wait time.Duration) []proc {
	deadline := time.Now().Add(wait)
	for {
		alive := w.scan(func(pid int, st stat) bool { return st.pgrp == pgid })
		if len(alive) == 0 || !time.Now().Before(deadline) {
			return alive
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// escaped returns the processes the service started that left its process
// group and are still running.
func (w *watcher) escaped(pgid int) []proc {
	w.mu.Lock()
	known := maps.Clone(w.known)
	w.mu.Unlock()
	return w.scan(func(pid int, st stat) bool {
		k, ok := known[pid]
		return ok && k.start == st.start && st.pgrp != pgid
	})
}

// scan returns the running processes that match.
func (w *watcher) scan(match func(pid int, st stat) bool) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := readStat(pid)
		if ok && st.state != 'Z' && st.state != 'X' && match(pid, st) {
			out = append(out, proc{pid: pid, start: st.start, cmd: cmdline(pid)})
		}
	}
	return out
}

// waitGone waits up to d for procs to exit.
func (w *watcher) waitGone(procs []proc, d time.Duration) {
	deadline := time.Now().Add(d)
	for _, p := range procs {
		for time.Now().Before(deadline) {
			st, ok := readStat(p.pid)
			if !ok || st.start != p.start || st.state == 'Z' || st.state == 'X' {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// listening returns the TCP ports the service's running processes listen on.
func (w *watcher) listening() []int {
	inodes := map[string]bool{}
	w.mu.Lock()
	pids := make([]int, 0, len(w.known)+1)
	for pid := range w.known {
		pids = append(pids, pid)
	}
	w.mu.Unlock()
	for _, pid := range append(pids, w.leader) {
		for _, ino := range socketInodes(pid) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return nil
	}
	var ports []int
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		ports = append(ports, listeningPorts(f, inodes)...)
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}

func socketInodes(pid int) []string {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"))
		}
	}
	return out
}

// listeningPorts reads a /proc/net/tcp table for the listening sockets
// among inodes.
func listeningPorts(path string, inodes map[string]bool) []int {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] {
			continue
		}
		_, hexPort, _ := strings.Cut(f[1], ":")
		if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil {
			out = append(out, int(p))
		}
	}
	return out
}

// children returns the children of every thread of pid.
func children(pid int) []int {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// stat is what mlci reads of /proc/PID/stat.
type stat struct {
	state byte
	pgrp  int
	start uint64
}

func readStat(pid int) (stat, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return stat{}, false
	}
	// The command name may hold spaces and parentheses; fields follow the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return stat{}, false
	}
	pgrp, err1 := strconv.Atoi(f[2])
	start, err2 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil {
		return stat{}, false
	}
	return stat{state: f[0][0], pgrp: pgrp, start: start}, true
}

// statusKB reads a kB field of /proc/PID/status.
func statusKB(pid int, field string) (int64, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n, err == nil
		}
	}
	// A zombie has no memory fields.
	return 0, true
}

func cmdline(pid int) string {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || len(data) == 0 {
		data, _ = os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	}
	s := strings.TrimSpace(strings.ReplaceAll(strings.TrimRight(string(data), "\x00"), "\x00", " "))
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}
