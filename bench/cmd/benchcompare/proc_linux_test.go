package main

import (
	"context"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// allowedCPUs starts a child, on cpus if given, and returns the CPUs its
// kernel status says it may run on.
func allowedCPUs(t *testing.T, cpus []int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := start(ctx, "cat", []string{"cat", "/proc/self/status"}, nil, cpus)
	require.NoError(t, err)
	defer c.stop()
	require.NoError(t, c.wait(ctx))
	m := regexp.MustCompile(`(?m)^Cpus_allowed_list:\s*(\S+)$`).FindSubmatch(c.stdout.Bytes())
	require.NotNil(t, m, "no Cpus_allowed_list in %s", c.stdout.Bytes())
	return string(m[1])
}

// A child started on CPUs runs there, and the harness's thread that
// started it is back on all of its own afterwards.
func TestStartOnCPUs(t *testing.T) {
	if _, err := exec.LookPath("cat"); err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread() // every start below forks from this thread
	defer runtime.UnlockOSThread()
	var set unix.CPUSet
	require.NoError(t, unix.SchedGetaffinity(0, &set))
	first := -1
	for c := 0; first < 0; c++ {
		if set.IsSet(c) {
			first = c
		}
	}
	all := allowedCPUs(t, nil)
	if set.Count() > 1 {
		assert.NotEqual(t, strconv.Itoa(first), all)
	}
	assert.Equal(t, strconv.Itoa(first), allowedCPUs(t, []int{first}))
	assert.Equal(t, all, allowedCPUs(t, nil), "the forking thread's CPUs were not restored")
}
