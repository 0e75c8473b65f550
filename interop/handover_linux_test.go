//go:build linux

package interop

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/stack"
	"github.com/mobisctp/mobisctp/stack/wire"
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
	srv := startDriverServer(t, ns, driver, port)
	ep := newEndpoint(t, ns, ourConfig(0), false)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	a := dialDriver(t, ctx, ep, port)
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
	endDriverCase(t, ctx, a, ev, srv,
		"peer address "+newAddr.String()+": SCTP_ADDR_ADDED",
		"peer address "+newAddr.String()+": SCTP_ADDR_MADE_PRIM",
		fmt.Sprintf("phase 1 received: %d messages, %d bytes", phaseMessages, phaseBytes(1)),
		fmt.Sprintf("phase 2 received: %d messages, %d bytes", phaseMessages, phaseBytes(2)),
	)
	for _, p := range a.Paths() {
		if p.Local != newAddr {
			t.Errorf("path %+v still sends from %v", p, p.Local)
		}
	}
	checkASCONFAuth(t, ep.finish(t), ourUDPPort, usrsctpHMAC)
}

// nsNet opens our endpoint's UDP sockets inside ns, also those for
// addresses that AutoASCONF binds later, from its own goroutine.
type nsNet struct {
	*stdnet.Net
	ns *netNS
}

func newNSNet(t *testing.T, ns *netNS) nsNet {
	n, err := stdnet.NewNet()
	if err != nil {
		t.Fatal(err)
	}
	return nsNet{Net: n, ns: ns}
}

func (n nsNet) ListenUDP(network string, laddr *net.UDPAddr) (c transport.UDPConn, err error) {
	if rerr := n.ns.run(func() error { c, err = net.ListenUDP(network, laddr); return nil }); rerr != nil {
		return nil, rerr
	}
	return c, err
}

// feedWatcher is an AddressWatcher the test feeds.
type feedWatcher chan []netip.Addr

func (w feedWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	select {
	case addrs := <-w:
		return addrs, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestUsrsctpAcceptsBundledResend: our ASCONF adding 127.0.0.2 reaches
// usrsctp, but its ASCONF-ACK is dropped (nftables). When 127.0.0.3
// appears before T4-RTO, our endpoint sends the ASCONF again at once,
// unchanged, with a second ASCONF (the next serial number, Add IP
// 127.0.0.3) bundled behind it (RFC 5061 section 5.1 B4, 5.1.1 C2).
// usrsctp answers the first from its cache and processes the second: both
// additions succeed before T4-RTO would have fired.
func TestUsrsctpAcceptsBundledResend(t *testing.T) {
	testenv.Root(t)
	nft := testenv.Tool(t, "nft")
	driver := buildDriver(t)
	ns := newNetNS(t)
	addr2, addr3 := netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")
	const port = 5001
	srv := startDriverServer(t, ns, driver, port)
	w := make(feedWatcher, 1)
	cfg := ourConfig(0)
	cfg.Net, cfg.AutoASCONF, cfg.AddressWatcher = newNSNet(t, ns), true, w
	ep := newEndpoint(t, nil, cfg, false) // cfg.Net opens the sockets in ns
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	a := dialDriver(t, ctx, ep, port)
	ev := watchEvents(a)
	w <- []netip.Addr{loopback}
	if err := sendPhase(ctx, a, 1); err != nil {
		t.Fatal(err)
	}

	filter := func(args ...string) {
		t.Helper()
		if err := ns.run(func() error {
			out, err := exec.Command(nft, args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		}); err != nil {
			t.Fatalf("nft %v: %v", args, err)
		}
	}
	filter("add", "table", "inet", "ackdrop")
	filter("add", "chain", "inet", "ackdrop", "in", "{ type filter hook input priority 0; }")
	filter("add", "rule", "inet", "ackdrop", "in", "udp", "dport", strconv.Itoa(ourUDPPort), "drop")
	w <- []netip.Addr{loopback, addr2}
	var first time.Time
	for end := time.Now().Add(5 * time.Second); first.IsZero() && time.Now().Before(end); time.Sleep(time.Millisecond) {
		if a.Stats().AsconfsSent == 1 {
			first = time.Now()
		}
	}
	if first.IsZero() {
		t.Fatal("no ASCONF for the first new address")
	}
	time.Sleep(20 * time.Millisecond) // usrsctp processed it; its ASCONF-ACK is gone
	filter("delete", "table", "inet", "ackdrop")
	w <- []netip.Addr{loopback, addr2, addr3}
	for _, add := range []netip.Addr{addr2, addr3} {
		req := "Add IP Address " + add.String()
		e := ev.await(t, stack.EventASCONF, func(e stack.Event) bool { return e.Request == req })
		if e.Err != nil {
			t.Errorf("usrsctp refused %s: %v", req, e.Err)
		}
		if d := e.Time.Sub(first); d >= stack.DefaultRTOInitial {
			t.Errorf("%s answered %v after the first ASCONF: T4-RTO, not the resend", req, d)
		}
	}
	if err := sendPhase(ctx, a, 2); err != nil {
		t.Fatal(err)
	}
	endDriverCase(t, ctx, a, ev, srv,
		"peer address "+addr2.String()+": SCTP_ADDR_ADDED",
		"peer address "+addr3.String()+": SCTP_ADDR_ADDED",
		fmt.Sprintf("phase 2 received: %d messages, %d bytes", phaseMessages, phaseBytes(2)),
	)
	if n := countBundled(t, ep.finish(t)); n == 0 {
		t.Error("no packet carried two ASCONFs")
	}
}

// countBundled counts the packets in our capture that carry more than one
// ASCONF chunk.
func countBundled(t *testing.T, capture string) int {
	t.Helper()
	n := 0
	err := pcapng.ReadUDP(capture, func(d pcapng.UDP) bool {
		k := 0
		it := wire.Packet(d.Payload).Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Type() == wire.TypeAsconf {
				k++
			}
		}
		if k > 1 {
			n++
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
