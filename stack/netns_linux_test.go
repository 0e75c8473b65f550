package stack

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestNamespaceFailover runs an association between two network
// namespaces joined by two veth pairs, with default settings. Midway
// through a transfer one link goes down: the data must move to the other
// path within RTO.min plus a round trip, arrive complete, and the path must
// recover when the link comes back.
func TestNamespaceFailover(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	nsCli, nsSrv := netns.New(t, "cli"), netns.New(t, "srv")
	netns.Veth(t, nsCli, "eth1", netip.PrefixFrom(cli1, 24), nsSrv, "eth1", netip.PrefixFrom(srv1, 24))
	netns.Veth(t, nsCli, "eth2", netip.PrefixFrom(cli2, 24), nsSrv, "eth2", netip.PrefixFrom(srv2, 24))

	capture := filepath.Join(t.TempDir(), "server.pcapng")
	tap, err := pcapng.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	var srv, cli *Endpoint
	open := func(ns *netns.NS, cfg Config, ep **Endpoint) {
		if err := ns.Do(func() (err error) { *ep, err = NewEndpoint(cfg); return err }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*ep).Close() })
	}
	open(nsSrv, Config{LocalAddrs: []netip.Addr{srv1, srv2}, Port: 5000, UDPPort: DefaultUDPPort, Tap: tap}, &srv)
	open(nsCli, Config{LocalAddrs: []netip.Addr{cli1, cli2}, UDPPort: DefaultUDPPort}, &cli)
	srv.Listen()
	ca, sa := connect(t, cli, srv, srv1)
	events := eventTimes(ca)
	waitFor(t, 10*time.Second, "the second path to be confirmed", func() bool {
		return len(events(EventPathConfirmed)) > 0
	})

	// A paced transfer (1000-byte messages every millisecond for 6 s),
	// with the first link down from 1.5 s to 4 s.
	var before, down time.Time // around the command that takes the link down
	l := load{bytes: 6000 * 1000, size: 1000, streams: 1, gap: time.Millisecond}
	go func() {
		time.Sleep(1500 * time.Millisecond)
		before = time.Now()
		nsCli.SetLink("eth1", false)
		down = time.Now()
		time.Sleep(2500 * time.Millisecond)
		nsCli.SetLink("eth1", true)
	}()
	stalls := testenv.NewStallMeter(t)
	transfer(t, ca, sa, l)
	// Heartbeats probe a potentially failed path once per (backed-off)
	// RTO: a few seconds after the repair.
	waitFor(t, 30*time.Second, "the repaired path to come back up", func() bool {
		return len(events(EventPathUp)) > 0
	})
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}

	resumed := firstDataAfter(t, capture, srv2, before)
	stalled := stalls.Within(down, resumed)
	gap := resumed.Sub(down) - stalled
	t.Logf("data resumed on the second path %v after the link went down, %v of which the process stalled (%v after the command started)", resumed.Sub(down), stalled, resumed.Sub(before))
	// The bound is RTO.min plus a round trip (well under a millisecond on
	// veth); the slack covers the scheduler on a busy machine, and the
	// time the whole process stood still (testenv.StallMeter) is left out.
	if limit := DefaultRTOMin + 50*time.Millisecond; gap > limit {
		t.Errorf("failover took %v, more than %v", gap, limit)
	}
	if len(events(EventPathPotentiallyFailed)) == 0 || len(events(EventPrimaryChanged)) == 0 {
		t.Errorf("failover events missing: PF %v, primary changed %v", events(EventPathPotentiallyFailed), events(EventPrimaryChanged))
	}
	var used int
	for _, p := range ca.Stats().Paths {
		if p.BytesSent > 0 {
			used++
		}
	}
	if used != 2 {
		t.Errorf("data went over %d paths, want both", used)
	}
}

// waitFor polls cond every 10 ms until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %v waiting for %s", limit, what)
}

// firstDataAfter reads a capture and returns when the first DATA chunk
// addressed to dst was recorded after t.
func firstDataAfter(t *testing.T, file string, dst netip.Addr, after time.Time) time.Time {
	t.Helper()
	var at time.Time
	err := pcapng.ReadUDP(file, func(d pcapng.UDP) bool {
		if d.Time.After(after) && d.Dst.Addr() == dst && hasChunk(d.Payload, wire.TypeData, wire.TypeIData) {
			at = d.Time
			return false
		}
		return true
	})
	if err != nil || at.IsZero() {
		t.Fatalf("no DATA to %v after %v in the capture (%v)", dst, after, err)
	}
	return at
}

// TestNamespaceAutoASCONF moves a client between two networks of real
// namespaces while the server streams paced messages to it: the client's
// second interface gets an address, AutoASCONF tells the server and makes
// it primary, then the first address is removed and AutoASCONF deletes it.
// Every message arrives, and the largest gap between deliveries stays
// within the detection delay plus two round trips, not counting the time
// the test process itself stalled.
func TestNamespaceAutoASCONF(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	nsCli, nsSrv := netns.New(t, "cli"), netns.New(t, "srv")
	netns.Veth(t, nsCli, "eth1", netip.PrefixFrom(cli1, 24), nsSrv, "eth1", netip.PrefixFrom(srv1, 24))
	netns.Veth(t, nsCli, "eth2", netip.PrefixFrom(netip.MustParseAddr("198.51.100.9"), 24), nsSrv, "eth2", netip.PrefixFrom(srv2, 24))
	// The client's interface to the second network starts without the
	// address it will move to.
	nsCli.IP("addr", "del", "198.51.100.9/24", "dev", "eth2")

	var srv, cli *Endpoint
	if err := nsSrv.Do(func() (err error) {
		srv, err = NewEndpoint(Config{LocalAddrs: []netip.Addr{srv1, srv2}, Port: 5000, UDPPort: DefaultUDPPort})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := nsCli.Do(func() error {
		w, err := NewHostWatcher()
		if err != nil {
			return err
		}
		// With the namespace's Net, sockets for new addresses open there.
		cli, err = NewEndpoint(Config{LocalAddrs: []netip.Addr{cli1}, UDPPort: DefaultUDPPort, Net: nsCli.Net(),
			AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: nsWatcher{nsCli, w}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	srv.Listen()
	ca, sa := connect(t, cli, srv, srv1)
	events := eventTimes(ca)

	go func() {
		time.Sleep(time.Second)
		nsCli.IP("addr", "add", cli2.String()+"/24", "dev", "eth2")
		time.Sleep(2 * time.Second)
		nsCli.IP("addr", "del", cli1.String()+"/24", "dev", "eth1")
	}()
	stalls := testenv.NewStallMeter(t)
	gap := pacedGaps(t, sa, ca, 5000, time.Millisecond, stalls)
	t.Logf("largest gap between deliveries, stalls of the process left out: %v (stalled %v in all)", gap, stalls.Total())
	for _, typ := range []EventType{EventLocalAddrAdded, EventLocalAddrRemoved, EventASCONF} {
		t.Logf("%v", events(typ))
	}
	// RTT on veth is far below a millisecond; two of them and the
	// detection delay, with slack for a busy machine's scheduler. On a
	// loaded machine the whole process (pacer, both endpoints) can stand
	// still for a second: such stalls are not the handover's and are left
	// out, while a wait the stack causes, such as a retransmission timeout
	// after data sent to the address that left, still counts.
	if limit := DefaultAddressHold + 50*time.Millisecond; gap > limit {
		t.Errorf("largest gap %v, more than the detection delay plus two RTTs (%v)", gap, limit)
	}
	waitFor(t, 5*time.Second, "the handover events", func() bool {
		return len(events(EventLocalAddrAdded)) == 1 && len(events(EventLocalAddrRemoved)) == 1
	})
	paths := sa.Paths()
	if len(paths) != 1 || paths[0].Remote.Addr() != cli2 {
		t.Errorf("server paths after the move: %+v", paths)
	}
}

// nsWatcher runs an AddressWatcher inside a namespace: pion's detector
// reads the interfaces with net.Interfaces, which asks the namespace of
// whatever thread it runs on.
type nsWatcher struct {
	ns *netns.NS
	w  AddressWatcher
}

func (w nsWatcher) Next(ctx context.Context) (addrs []netip.Addr, err error) {
	if derr := w.ns.Do(func() error { addrs, err = w.w.Next(ctx); return nil }); derr != nil {
		return nil, derr
	}
	return addrs, err
}
