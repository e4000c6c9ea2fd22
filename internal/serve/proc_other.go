//go:build unix && !linux

package serve

import (
	"fmt"
	"syscall"
	"time"
)

// procAttr puts the service in its own process group.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// proc is a process the service started.
type proc struct {
	pid int
	cmd string
}

// String returns the process's id.
func (p proc) String() string { return fmt.Sprintf("pid %d", p.pid) }

// watcher stands in for the /proc sampler where there is no /proc.
//
// TODO: without /proc, peak memory is not measured, the ports a service
// listens on are not named, and processes that leave the service's process
// group are not found; reading them needs each system's own interfaces
// (libproc on macOS, sysctl on the BSDs).
type watcher struct{}

func newWatcher(int) *watcher                      { return &watcher{} }
func (w *watcher) run()                            {}
func (w *watcher) stop()                           {}
func (w *watcher) sample()                         {}
func (w *watcher) peakMB() float64                 { return 0 }
func (w *watcher) listening() []int                { return nil }
func (w *watcher) group(int, time.Duration) []proc { return nil }
func (w *watcher) escaped(int) []proc              { return nil }
func (w *watcher) waitGone([]proc, time.Duration)  {}
