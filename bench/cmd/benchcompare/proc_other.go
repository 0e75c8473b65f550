//go:build !linux

package main

import (
	"errors"
	"os/exec"
	"syscall"
)

// sysProcAttr has nothing to add where there is no parent-death signal.
func sysProcAttr() *syscall.SysProcAttr { return nil }

var errNoAffinity = errors.New("CPU affinity is set on Linux only")

// startOn would start cmd on cpus; pinCPUs never gives any here.
func startOn(*exec.Cmd, []int) error { return errNoAffinity }

// pinCPUs says that processes are not pinned here.
func pinCPUs(int) (client, server []int, err error) { return nil, nil, errNoAffinity }
