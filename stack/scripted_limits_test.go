package stack

// Limits on what a peer can make the endpoint hold or send (issue 9):
// peer addresses per association, HEARTBEATs to unconfirmed addresses per
// endpoint, associations per endpoint.

import (
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// manyAddrs returns n distinct addresses nobody owns.
func manyAddrs(n int) []netip.Addr {
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	return out
}

// heartbeatCounter counts the HEARTBEATs the endpoint under test sends,
// per second of virtual time since it started.
type heartbeatCounter struct {
	mu     sync.Mutex
	start  time.Time
	perSec map[int]int
	total  int
}

func countHeartbeats(n *simnet.Network) *heartbeatCounter {
	hc := &heartbeatCounter{start: time.Now(), perSec: map[int]int{}}
	n.OnPacket(func(ts time.Time, src, _ netip.AddrPort, data []byte, _ simnet.Fate) {
		pkt, err := wire.ParsePacket(data)
		if err != nil || pkt.SrcPort() != sutPort || !carries(pkt, wire.TypeHeartbeat) {
			return
		}
		hc.mu.Lock()
		defer hc.mu.Unlock()
		hc.total++
		hc.perSec[int(ts.Sub(hc.start)/time.Second)]++
	})
	return hc
}

// TestInitWithThousandsOfAddresses: an INIT listing 3000 addresses that
// the peer does not own sets up an association that keeps MaxPeerAddrs of
// them, and the endpoint's probes of the unconfirmed ones stay within the
// heartbeat rate; with the address limit raised out of the way, the rate
// alone bounds them.
func TestInitWithThousandsOfAddresses(t *testing.T) {
	const listed = 3000
	cases := []struct {
		name      string
		cfg       Config
		wantPaths int
	}{
		// PMTUFixed: MTU probes, heartbeats to the confirmed path, are
		// not what this test bounds.
		{"defaults", Config{PFThreshold: -1, PMTUFixed: true}, DefaultMaxPeerAddrs},
		{"address limit raised", Config{PFThreshold: -1, PMTUFixed: true, MaxPeerAddrs: listed + 1, UnconfirmedHeartbeatRate: 50}, listed + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, tc.cfg)
				hc := countHeartbeats(r.net)
				init := peerInit(peerTag, peerTSN)
				for _, addr := range manyAddrs(listed) {
					init.Params = wire.AppendParam(init.Params, &wire.AddressParam{Addr: addr})
				}
				_, s := r.initAck(init)
				r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
				r.peer.expect(s.tag, wire.TypeCookieAck)
				a := r.accept()
				const watch = 20 * time.Second
				time.Sleep(watch)
				if n := len(a.Paths()); n != tc.wantPaths {
					t.Errorf("%d paths, want %d", n, tc.wantPaths)
				}
				if got, want := r.ep.Stats().PeerAddrsIgnored, uint64(listed+1-tc.wantPaths); got != want {
					t.Errorf("PeerAddrsIgnored = %d, want %d", got, want)
				}
				rate := r.ep.cfg.UnconfirmedHeartbeatRate
				hc.mu.Lock()
				defer hc.mu.Unlock()
				// The bucket starts full: a burst of rate, then rate per
				// second; and never more than one probe per RTO to each
				// unconfirmed address.
				bound := min(rate+int(watch/time.Second)*rate, (tc.wantPaths-1)*(1+int(watch/time.Second)))
				if hc.total > bound {
					t.Errorf("%d HEARTBEATs in %v, want at most %d", hc.total, watch, bound)
				}
				for sec, n := range hc.perSec {
					if n > 2*rate {
						t.Errorf("%d HEARTBEATs in second %d, want at most %d", n, sec, 2*rate)
					}
				}
				t.Logf("%d HEARTBEATs in %v to %d addresses; %d throttled", hc.total, watch, tc.wantPaths, r.ep.Stats().HeartbeatsThrottled)
			})
		})
	}
}

// TestMaxAssociations: beyond the limit an INIT from a new peer gets an
// ABORT with an Out of Resource cause, and is counted; the associations
// that exist carry on.
func TestMaxAssociations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.MaxAssociations = 2
		r := newRig(t, cfg)
		var sessions []*session
		for i := range 2 {
			r.peer.port = peerPort + uint16(i)
			_, s := r.connect()
			sessions = append(sessions, s)
		}
		r.peer.port = peerPort + 2
		r.peer.send(0, peerInit(peerTag+9, peerTSN))
		ab := r.peer.expect(peerTag+9, wire.TypeAbort)
		if c := causesOf(t, ab.chunks[0]); len(c) != 1 || c[0].Code() != wire.CauseOutOfResource {
			t.Errorf("ABORT causes %v, want Out of Resource", c)
		}
		if n := r.ep.Stats().AssociationsRefused; n != 1 {
			t.Errorf("AssociationsRefused = %d, want 1", n)
		}
		r.peer.port = peerPort
		r.expectData(sessions[0])
	})
}
