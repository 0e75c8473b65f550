package main

import "syscall"

// sysProcAttr makes the kernel kill a child when the harness dies, so that
// none outlives it even after a SIGKILL.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
