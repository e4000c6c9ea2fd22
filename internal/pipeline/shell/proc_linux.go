package shell

import "syscall"

// procAttr puts the command in its own process group, and has the kernel kill
// the shell if mlci dies without a chance to (kill -9).
// TODO: after kill -9 only the shell dies; the processes it started live on
// until they end, as nothing is left to kill their group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
