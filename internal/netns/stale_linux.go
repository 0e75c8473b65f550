package netns

import (
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// namePrefix starts the name of every namespace New makes, which goes on
// with a hint, the creating process's pid and a sequence number.
const namePrefix = "mobisctp-"

var sweepOnce sync.Once

// sweepStale deletes the namespaces that test processes no longer running
// left behind: one killed before its cleanups ran (a go test timeout, a
// SIGKILL) leaves its namespaces, and with them their veths and routes,
// until the machine restarts. A namespace whose creator has gone has no
// owner; those of running processes, this one included, stay.
func sweepStale() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return // New reports a broken ip command itself
	}
	for _, name := range staleNames(string(out), alive) {
		_ = exec.Command("ip", "netns", "del", name).Run()
	}
}

// staleNames returns the names in list (the output of `ip netns list`)
// that New made in a process for which running reports false.
func staleNames(list string, running func(pid int) bool) []string {
	var stale []string
	for line := range strings.Lines(list) {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], namePrefix) {
			continue
		}
		name := fields[0]
		parts := strings.Split(name, "-")
		if len(parts) < 4 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil || pid <= 0 || running(pid) {
			continue
		}
		stale = append(stale, name)
	}
	return stale
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool { return unix.Kill(pid, 0) != unix.ESRCH }
