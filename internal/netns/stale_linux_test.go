package netns

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// staleNames picks exactly the namespaces New made in processes that have
// gone, whatever their hint, and leaves everything else alone.
func TestStaleNames(t *testing.T) {
	list := "mobisctp-cli-1802-150 (id: 1)\n" +
		"mobisctp-m-cli-77-3\n" + // a hint with a dash
		"mobisctp-srv-4242-1 (id: 9)\n" + // its process runs
		"mobisctp-odd\n" +
		"other-1802-1\n" +
		"\n"
	running := func(pid int) bool { return pid == 4242 }
	require.Equal(t, []string{"mobisctp-cli-1802-150", "mobisctp-m-cli-77-3"}, staleNames(list, running))
}

// A process that has exited is not alive; this one is.
func TestAlive(t *testing.T) {
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	require.False(t, alive(cmd.Process.Pid), "exited pid %d", cmd.Process.Pid)
	require.True(t, alive(os.Getpid()))
}
