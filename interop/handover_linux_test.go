//go:build linux

package interop

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// TestUsrsctpAcceptsBreakBeforeMake: our client, talking to the usrsctp
// driver, gives up its only address (127.0.0.1) before it has a new one.
// Nothing is sent for that: usrsctp would refuse to delete our last
// address. When 127.0.0.2 comes, one ASCONF leaves from it with Add IP
// (127.0.0.2), Set Primary (127.0.0.2) and Delete IP (127.0.0.1), and
// 127.0.0.1 as the Address Parameter, by which usrsctp must find the
// association although the packet comes from an address it does not
// know. usrsctp accepts all three, and all the data arrives.
func TestUsrsctpAcceptsBreakBeforeMake(t *testing.T) {
	ns := newNetNS(t)
	driver := buildDriver(t)
	const port = 5001
	srv := startUsrsctp(t, ns, program{name: "asconf_driver", path: driver, args: []string{
		"server", strconv.Itoa(peerUDPPort), strconv.Itoa(ourUDPPort), loopback.String(), strconv.Itoa(port)}})
	if err := srv.await(func(l string) bool { return l == "listening" }); err != nil {
		t.Fatalf("waiting for the driver to listen: %v", err)
	}
	ep := newEndpoint(t, ns, ourConfig(0), false)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{loopback}, Port: port, UDPPort: peerUDPPort})
	if err != nil {
		t.Fatalf("dial the driver: %v", err)
	}
	ev := watchEvents(a)
	if err := sendPhase(ctx, a, 1); err != nil {
		t.Fatal(err)
	}

	if err := a.RemoveLocalAddr(loopback); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := a.Stats().AsconfsSent; n != 0 {
		t.Fatalf("%d ASCONFs sent for the deletion of our only address, want none yet", n)
	}
	if err := ns.run(func() error { return a.AddLocalAddr(newAddr) }); err != nil {
		t.Fatalf("AddLocalAddr(%v): %v", newAddr, err)
	}
	for _, req := range []string{"Add IP Address " + newAddr.String(), "Set Primary Address " + newAddr.String(), "Delete IP Address " + loopback.String()} {
		e := ev.await(t, stack.EventASCONF, func(e stack.Event) bool { return e.Request == req })
		if e.Err != nil {
			t.Errorf("usrsctp refused %s: %v", req, e.Err)
		}
	}
	if n := a.Stats().AsconfsSent; n != 1 {
		t.Errorf("%d ASCONFs sent, want one for the whole move", n)
	}
	if err := sendPhase(ctx, a, 2); err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	logStats(t, a)
	checkCleanEnd(t, ev)
	srv.wait()
	for _, want := range []string{
		"peer address " + newAddr.String() + ": SCTP_ADDR_ADDED",
		"peer address " + newAddr.String() + ": SCTP_ADDR_MADE_PRIM",
		fmt.Sprintf("phase 1 received: %d messages, %d bytes", phaseMessages, phaseBytes(1)),
		fmt.Sprintf("phase 2 received: %d messages, %d bytes", phaseMessages, phaseBytes(2)),
	} {
		if !srv.outputHas(want) {
			t.Errorf("the driver did not print %q", want)
		}
	}
	for _, p := range a.Paths() {
		if p.Local != newAddr {
			t.Errorf("path %+v still sends from %v", p, p.Local)
		}
	}
	checkASCONFAuth(t, ep.finish(t), ourUDPPort, usrsctpHMAC)
}
