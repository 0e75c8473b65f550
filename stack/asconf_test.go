package stack

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// newAddr is the client's address after a handover.
var newAddr = netip.MustParseAddr("203.0.113.1")

// handoverPair connects a client on cli1 to a server on srv1 and srv2 is
// unused; the client host can gain newAddr later.
func handoverPair(t *testing.T, cfg Config) (*simnet.Network, *simnet.Host, *Association, *Association) {
	t.Helper()
	n := simnet.New(21)
	t.Cleanup(n.Close)
	// 80 Mbit/s: a transfer lasts long enough for a handover during it.
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc := n.AddHost("client", cli1)
	hs := n.AddHost("server", srv1)
	srvCfg := cfg
	srvCfg.Port = 5000
	srv := simEndpoint(t, hs, srvCfg, true)
	cli := simEndpoint(t, hc, cfg, false)
	ca, sa := connect(t, cli, srv, srv1)
	return n, hc, ca, sa
}

// TestAuthNegotiated checks that two mobisctp endpoints agree on SCTP-AUTH
// and ASCONF, and that every ASCONF and ASCONF-ACK on the wire sits behind
// an AUTH chunk whose HMAC verifies.
func TestAuthNegotiated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, hc, ca, sa := handoverPair(t, Config{})
		// The network's delivery goroutines call OnPacket: the counters
		// are atomic, read by the test goroutine.
		var unauthed, asconfs atomic.Int64
		n.OnPacket(func(_ time.Time, _, _ netip.AddrPort, data []byte, _ simnet.Fate) {
			pkt := wire.Packet(data)
			if carries(pkt, wire.TypeAsconf) || carries(pkt, wire.TypeAsconfAck) {
				asconfs.Add(1)
				if !pkt.AuthCovers(wire.TypeAsconf) || !pkt.AuthCovers(wire.TypeAsconfAck) {
					unauthed.Add(1)
				}
			}
		})
		if ca.auth == nil || sa.auth == nil || !ca.asconfAvailable() || !sa.asconfAvailable() {
			t.Fatal("AUTH and ASCONF not negotiated between two mobisctp endpoints")
		}
		hc.AddAddr(newAddr)
		events := eventTimes(ca)
		if err := ca.AddLocalAddr(newAddr); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if asconfs.Load() < 2 || unauthed.Load() != 0 {
			t.Fatalf("%d ASCONF/ASCONF-ACK packets, %d without AUTH", asconfs.Load(), unauthed.Load())
		}
		// Each side verifies the other's HMAC: no AUTH failure counted.
		if f := ca.Stats().AuthFailures + sa.Stats().AuthFailures; f != 0 {
			t.Errorf("%d AUTH verification failures", f)
		}
		if ev := events(EventASCONF); len(ev) != 1 || ev[0].Err != nil {
			t.Errorf("ASCONF events %v, want one success", ev)
		}
		if sa.pathTo(newAddr) == nil {
			t.Error("server did not add the new address")
		}
	})
}

// TestMakeBeforeBreak moves the client to a new address during a transfer
// in each direction: add the new address, make it the peer's primary,
// delete the old one, then the old address disappears. Nothing is lost and
// no retransmission timer expires.
func TestMakeBeforeBreak(t *testing.T) {
	for _, dir := range []string{"server to client", "client to server"} {
		t.Run(dir, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, hc, ca, sa := handoverPair(t, Config{})
				src, dst := sa, ca
				if dir == "client to server" {
					src, dst = ca, sa
				}
				moved := make(chan struct{})
				go func() {
					defer close(moved)
					time.Sleep(200 * time.Millisecond)
					handover(t, hc, ca, sa)
				}()
				transfer(t, src, dst, pacedLoad)
				<-moved
				for _, a := range []*Association{ca, sa} {
					if n := a.Stats().T3Expirations; n != 0 {
						t.Errorf("%d T3 expirations during the handover", n)
					}
				}
				// The server's view after the move: one path, to the new
				// address, which carried part of the transfer.
				paths := sa.Stats().Paths
				if len(paths) != 1 || paths[0].Remote.Addr() != newAddr {
					t.Fatalf("server paths after the handover: %+v", paths)
				}
				if p := paths[0]; p.ChunksSent == 0 && p.PacketsReceived == 0 {
					t.Error("no traffic on the new address")
				}
			})
		})
	}
}

// pacedLoad lasts long enough in virtual time for a handover to happen
// during it: 8 MiB over the simulated link.
var pacedLoad = load{bytes: 8 << 20, size: 1000, streams: 2}

// handover runs the make-before-break sequence for the client.
func handover(t *testing.T, hc *simnet.Host, ca, sa *Association) {
	hc.AddAddr(newAddr)
	if err := ca.AddLocalAddr(newAddr); err != nil {
		t.Error(err)
		return
	}
	// Wait for the server to confirm the new path by heartbeat.
	for i := 0; sa.pathState(newAddr) != PathActive; i++ {
		if i == 1000 {
			t.Error("the new path was never confirmed")
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := ca.SetPeerPrimary(newAddr); err != nil {
		t.Error(err)
	}
	if err := ca.RemoveLocalAddr(cli1); err != nil {
		t.Error(err)
	}
	for i := 0; sa.pathState(cli1) != pathGone; i++ {
		if i == 1000 {
			t.Error("the old path was never deleted")
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Break after make: the old address goes once what was already on
	// its way to it, queues included, has arrived.
	time.Sleep(200 * time.Millisecond)
	hc.RemoveAddr(cli1)
}

// pathGone is what pathState reports for an address without a path.
const pathGone PathState = 255

// pathState returns the state of the path to addr, for tests.
func (a *Association) pathState(addr netip.Addr) PathState {
	st := pathGone
	a.exec(func(time.Time) {
		if p := a.pathTo(addr); p != nil {
			st = p.state
		}
	})
	return st
}
