package netns

import (
	"bytes"
	"fmt"
	"net/netip"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// NS is a named network namespace.
type NS struct {
	Name string
	t    testing.TB
}

var seq atomic.Uint32

// New creates a namespace with a unique name and loopback up. The first
// call in a process deletes those that dead test processes left behind.
func New(t testing.TB, hint string) *NS {
	t.Helper()
	sweepOnce.Do(sweepStale)
	name := fmt.Sprintf("%s%s-%d-%d", namePrefix, hint, unix.Getpid(), seq.Add(1))
	ip(t, "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	ns := &NS{Name: name, t: t}
	ns.IP("link", "set", "lo", "up")
	return ns
}

// IP runs `ip args...` inside the namespace and fails the test on error.
func (ns *NS) IP(args ...string) string {
	ns.t.Helper()
	return ip(ns.t, append([]string{"-n", ns.Name}, args...)...)
}

// SetLink takes an interface of the namespace down or up.
func (ns *NS) SetLink(ifname string, up bool) {
	ns.t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	ns.IP("link", "set", ifname, state)
}

// Do runs f on an OS thread that is switched into the namespace. Sockets
// f opens belong to the namespace for good, whichever goroutines use them
// later.
func (ns *NS) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is never unlocked: it leaves the namespace changed,
		// so the runtime must discard it rather than reuse it.
		runtime.LockOSThread()
		fd, err := unix.Open("/var/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns.Name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// Veth joins namespaces a and b with a veth pair named ifa (in a) and ifb
// (in b), addressed pa and pb (with their prefix lengths), both up.
func Veth(t testing.TB, a *NS, ifa string, pa netip.Prefix, b *NS, ifb string, pb netip.Prefix) {
	t.Helper()
	// The pair is created in the root namespace, shared by every test
	// process (go test runs packages in parallel): the pid keeps the
	// names apart, in hex to stay within IFNAMSIZ.
	n := seq.Add(1)
	tmpA, tmpB := fmt.Sprintf("mv%x-%da", unix.Getpid(), n), fmt.Sprintf("mv%x-%db", unix.Getpid(), n)
	ip(t, "link", "add", tmpA, "type", "veth", "peer", "name", tmpB)
	ip(t, "link", "set", tmpA, "netns", a.Name, "name", ifa)
	ip(t, "link", "set", tmpB, "netns", b.Name, "name", ifb)
	for _, side := range []struct {
		ns     *NS
		ifname string
		p      netip.Prefix
	}{{a, ifa, pa}, {b, ifb, pb}} {
		args := []string{"addr", "add", side.p.String(), "dev", side.ifname}
		if side.p.Addr().Is6() {
			args = append(args, "nodad") // usable at once, no duplicate detection delay
		}
		side.ns.IP(args...)
		side.ns.SetLink(side.ifname, true)
	}
}

func ip(t testing.TB, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("ip", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}
