package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr makes the kernel kill a child when the harness dies, so that
// none outlives it even after a SIGKILL.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// startOn starts cmd on cpus only. A child inherits the CPU mask of the
// thread that forks it, which is set here around the fork: set from
// outside after the start, it would miss the threads the child's Go
// runtime starts first.
func startOn(cmd *exec.Cmd, cpus []int) error {
	runtime.LockOSThread() // the thread goes on living: Pdeathsig watches it
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return fmt.Errorf("CPU affinity: %w", err)
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("CPU affinity %v: %w", cpus, err)
	}
	err := cmd.Start()
	// The mask was this thread's a moment ago: setting it back fails only
	// if those CPUs went offline, and a thread left on fewer CPUs only
	// slows the harness down.
	_ = unix.SchedSetaffinity(0, &old)
	return err
}

// pinCPUs returns the CPUs for the clients and for the servers of cells
// whose processes get procs cores each: the first procs CPUs the harness
// may run on, and the next procs.
func pinCPUs(procs int) (client, server []int, err error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, nil, fmt.Errorf("CPU affinity: %w", err)
	}
	var cpus []int
	for c := 0; c < len(set)*64 && len(cpus) < 2*procs; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2*procs {
		return nil, nil, fmt.Errorf("%d CPUs to run on, fewer than twice -gomaxprocs %d", set.Count(), procs)
	}
	return cpus[:procs], cpus[procs:], nil
}
