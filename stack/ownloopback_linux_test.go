package stack

import (
	"os"
	"os/exec"
	"testing"

	"github.com/mobisctp/mobisctp/internal/netns"
)

// onOwnLoopback runs f, which opens endpoints, where the test has the
// loopback's well-known ports to itself: as root, in a network namespace
// of its own, so that another test's process holding UDP 9899 on the
// host (the packages' tests run side by side) cannot make it fail;
// otherwise on the host's loopback.
func onOwnLoopback(t *testing.T, f func() error) error {
	if _, err := exec.LookPath("ip"); err != nil || os.Geteuid() != 0 {
		return f()
	}
	return netns.New(t, "loop").Do(f)
}
