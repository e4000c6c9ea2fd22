//go:build !linux

package shell

import "syscall"

// procAttr puts the command in its own process group.
// TODO: outside Linux a killed mlci leaves its running command behind.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
