package stack

import (
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// routedNet is a client and a server, each with two uplinks to a router
// namespace. Each starts with an address on its first uplink only; the
// second uplink is where a move goes.
type routedNet struct {
	cli, srv, rtr *netns.NS
}

// uplink is one side's interface toward the router: its address and the
// router's address on that link (the gateway).
type uplink struct {
	ifname string
	addr   netip.Prefix
	gw     netip.Addr
}

var (
	cliUp = [2]uplink{
		{"eth1", netip.MustParsePrefix("10.1.1.2/24"), netip.MustParseAddr("10.1.1.1")},
		{"eth2", netip.MustParsePrefix("10.1.2.2/24"), netip.MustParseAddr("10.1.2.1")},
	}
	srvUp = [2]uplink{
		{"eth1", netip.MustParsePrefix("10.2.1.2/24"), netip.MustParseAddr("10.2.1.1")},
		{"eth2", netip.MustParsePrefix("10.2.2.2/24"), netip.MustParseAddr("10.2.2.1")},
	}
)

func newRoutedNet(t *testing.T) *routedNet {
	t.Helper()
	cli, srv, rtr := netns.New(t, "mcli"), netns.New(t, "msrv"), netns.New(t, "mrtr")
	for i, side := range []struct {
		ns  *netns.NS
		ups [2]uplink
	}{{cli, cliUp}, {srv, srvUp}} {
		for j, u := range side.ups {
			netns.Veth(t, side.ns, u.ifname, u.addr, rtr, fmt.Sprintf("r%d%d", i, j), netip.PrefixFrom(u.gw, u.addr.Bits()))
		}
		side.ns.IP("addr", "del", side.ups[1].addr.String(), "dev", side.ups[1].ifname)
		side.ns.IP("route", "add", "default", "via", side.ups[0].gw.String())
	}
	if out, err := exec.Command("ip", "netns", "exec", rtr.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1").CombinedOutput(); err != nil {
		t.Fatalf("router forwarding: %v %s", err, out)
	}
	return &routedNet{cli: cli, srv: srv, rtr: rtr}
}

// move takes a side's first-uplink address away and, after gap, gives its
// second uplink its address and the default route through it. It returns
// when the new address was added: the time just before the command, as
// the endpoint may hear of the address before a loaded machine returns
// from running ip.
func move(ns *netns.NS, ups [2]uplink, gap time.Duration) time.Time {
	ns.IP("addr", "del", ups[0].addr.String(), "dev", ups[0].ifname)
	time.Sleep(gap)
	appeared := time.Now()
	ns.IP("addr", "add", ups[1].addr.String(), "dev", ups[1].ifname)
	ns.IP("route", "replace", "default", "via", ups[1].gw.String())
	return appeared
}

// autoEndpoint opens an endpoint with AutoASCONF inside ns.
func autoEndpoint(t *testing.T, ns *netns.NS, cfg Config) *Endpoint {
	t.Helper()
	var ep *Endpoint
	if err := ns.Do(func() error {
		w, err := NewHostWatcher()
		if err != nil {
			return err
		}
		cfg.UDPPort, cfg.Net = DefaultUDPPort, ns.Net()
		cfg.AutoASCONF, cfg.AutoSetPrimary, cfg.AddressWatcher = true, true, nsWatcher{ns, w}
		ep, err = NewEndpoint(cfg)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

// TestNamespaceBreakBeforeMake moves the client, then (separately) the
// server, from the address on its first uplink to one on its second, with
// nothing in between for 1 s and for 10 s, while the client sends a paced
// stream. The association survives (same verification tags, no second
// one), the server receives exactly what was sent (SHA-256), and data
// arrives again soon after the endpoint noticed the new address: the
// bound is one RTO (for a packet lost in flight; the RTT on veth is far
// below a millisecond, so two of them vanish in the slack) plus 250 ms
// for a busy machine's scheduler. How long the kernel's notification
// takes to reach the endpoint is the machine's, not the stack's: under
// the race detector on a loaded machine it took a second, so it is only
// bounded loosely (AddressHold plus a second).
func TestNamespaceBreakBeforeMake(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	for _, server := range []bool{false, true} {
		for _, gap := range []time.Duration{time.Second, 10 * time.Second} {
			who := "client"
			if server {
				who = "server"
			}
			t.Run(fmt.Sprintf("%s gap %v", who, gap), func(t *testing.T) { namespaceMove(t, server, gap) })
		}
	}
}

func namespaceMove(t *testing.T, server bool, gap time.Duration) {
	n := newRoutedNet(t)
	capture := filepath.Join(t.TempDir(), "server.pcapng")
	tap, err := pcapng.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	srv := autoEndpoint(t, n.srv, Config{LocalAddrs: []netip.Addr{srvUp[0].addr.Addr()}, Port: 5000, Tap: tap})
	cli := autoEndpoint(t, n.cli, Config{LocalAddrs: []netip.Addr{cliUp[0].addr.Addr()}})
	srv.Listen()
	ca, sa := connect(t, cli, srv, srvUp[0].addr.Addr())
	mover, ups, moving := n.cli, cliUp, ca
	if server {
		mover, ups, moving = n.srv, srvUp, sa
	}
	ltag, ptag := tagsOf(moving)
	events := eventTimes(moving)

	moved := make(chan time.Time, 1)
	go func() {
		time.Sleep(time.Second)
		moved <- move(mover, ups, gap)
	}()
	l := load{bytes: int(gap/time.Millisecond+3000) * 1000, size: 1000, streams: 1, gap: time.Millisecond}
	transfer(t, ca, sa, l) // SHA-256 of what arrived equals what was sent
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	appeared := <-moved
	dst := srvUp[0].addr.Addr()
	if server {
		dst = srvUp[1].addr.Addr()
	}
	noticed := noticedAfter(t, events(EventLocalAddrAdded), appeared)
	recovery := firstDataAfter(t, capture, dst, appeared).Sub(noticed)
	st := ca.Stats()
	t.Logf("the endpoint noticed the new address %v after it appeared; data arrived %v after that (client: %d retransmissions, %d T3 expirations)",
		noticed.Sub(appeared), recovery, st.Retransmissions, st.T3Expirations)
	if limit := DefaultAddressHold + time.Second; noticed.Sub(appeared) > limit {
		t.Errorf("the endpoint noticed the new address %v after it appeared, more than %v", noticed.Sub(appeared), limit)
	}
	if limit := DefaultRTOInitial + 250*time.Millisecond; recovery > limit {
		t.Errorf("recovery took %v after the endpoint noticed the new address, more than one RTO plus slack (%v)", recovery, limit)
	}
	expectOneAssociation(t, capture, ltag, ptag, server)
	for _, typ := range []EventType{EventLocalAddrAdded, EventASCONF} {
		for _, e := range events(typ) {
			t.Logf("%v after the new address appeared: %v", e.Time.Sub(appeared), e)
		}
	}
}

// noticedAfter returns when the first of events (local addresses added)
// came after appeared.
func noticedAfter(t *testing.T, events []Event, appeared time.Time) time.Time {
	t.Helper()
	for _, e := range events {
		if e.Time.After(appeared) {
			return e.Time
		}
	}
	t.Fatalf("no local address added after %v: %v", appeared, events)
	return time.Time{}
}

// expectOneAssociation checks the server's capture: one INIT, and every
// other packet carries the tag of the association set up with it, the
// server's toward the server and the client's toward the client. ltag and
// ptag are the moving side's local and peer tags.
func expectOneAssociation(t *testing.T, capture string, ltag, ptag uint32, server bool) {
	t.Helper()
	srvTag, cliTag := ptag, ltag
	if server {
		srvTag, cliTag = ltag, ptag
	}
	inits, wrong := 0, 0
	err := pcapng.ReadUDP(capture, func(d pcapng.UDP) bool {
		want := cliTag
		if srvUp[0].addr.Contains(d.Dst.Addr()) || srvUp[1].addr.Contains(d.Dst.Addr()) {
			want = srvTag
		}
		switch {
		case hasChunk(d.Payload, wire.TypeInit):
			inits++
		case wire.Packet(d.Payload).VerificationTag() != want:
			wrong++
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if inits != 1 || wrong != 0 {
		t.Errorf("capture: %d INITs and %d packets with other tags, want 1 and 0: not the same association", inits, wrong)
	}
}
