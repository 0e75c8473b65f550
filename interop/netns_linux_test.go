//go:build linux

package interop

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// netNS is a private network namespace, made by the test, with only a
// loopback interface.
//
// On Linux the network namespace belongs to a thread, and a socket keeps
// the namespace it was created in for its whole life. So one goroutine,
// locked to its OS thread, enters the new namespace and runs there whatever
// must start inside it: binding our endpoint's sockets and starting the peer
// programs (a child process inherits the namespace of the thread that
// forked it). Afterwards the sockets and processes are used from any
// goroutine. The thread is never unlocked, so the Go runtime discards it
// when the goroutine ends instead of reusing it for other work.
type netNS struct {
	work chan func()
	ip   string // the ip program
}

// newNetNS creates the namespace, brings its loopback interface up, and
// ends it when the test ends (after the cleanups registered later, which
// stop what runs inside).
func newNetNS(t *testing.T) *netNS {
	t.Helper()
	testenv.Root(t)
	ip := testenv.Tool(t, "ip")
	ns := &netNS{work: make(chan func()), ip: ip}
	ready := make(chan error, 1)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		runtime.LockOSThread() // for good: see the type's comment
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			ready <- fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
			return
		}
		if out, err := exec.Command(ip, "link", "set", "lo", "up").CombinedOutput(); err != nil {
			ready <- fmt.Errorf("ip link set lo up: %v: %s", err, out)
			return
		}
		ready <- nil
		for f := range ns.work {
			f()
		}
	}()
	if err := <-ready; err != nil {
		<-ended
		t.Fatalf("private network namespace: %v", err)
	}
	t.Cleanup(func() {
		close(ns.work)
		<-ended
	})
	return ns
}

// run calls f inside the namespace and returns its error. f must not call
// t.Fatal: it does not run on the test's goroutine.
func (ns *netNS) run(f func() error) error {
	errc := make(chan error, 1)
	ns.work <- func() {
		defer func() {
			if r := recover(); r != nil {
				errc <- fmt.Errorf("panic in the namespace: %v", r)
			}
		}()
		errc <- f()
	}
	return <-errc
}

// addAddr adds prefix (such as "127.0.0.2/8") to the loopback interface.
//
// Our endpoint can use any address of 127.0.0.0/8 once 127.0.0.1/8 is
// up, but usrsctp uses only the addresses listed on an interface when it
// starts, so a second loopback address for it must be there first.
func (ns *netNS) addAddr(t *testing.T, prefix string) {
	t.Helper()
	err := ns.run(func() error {
		if out, err := exec.Command(ns.ip, "addr", "add", prefix, "dev", "lo").CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ip addr add %s dev lo: %v", prefix, err)
	}
}
