package stack

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
)

// searchTime waits (in virtual time, at most 10 minutes) until a's first
// path completed its MTU search and returns how long that took from now.
func searchTime(t *testing.T, a *Association) time.Duration {
	t.Helper()
	start := time.Now()
	for range 60_000 {
		if a.Stats().Paths[0].MTUSearch == "search-complete" {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the MTU search did not complete in 10 minutes")
	return 0
}

// TestPMTUHintSpeedsSearch runs the search over a link of MTU 1280 twice:
// with the router's Packet Too Big lost (a black hole) and delivered. The
// hint ends the search at the link's exact size one probe after the base,
// instead of MAX_PROBES probe timeouts for each size tried.
func TestPMTUHintSpeedsSearch(t *testing.T) {
	var took [2]time.Duration
	for i, icmp := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			var link mtuLink
			link.limit.Store(mtu1280v4)
			_, ca, _ := mtuPair(t, Config{}, &link)
			if icmp {
				link.icmp.Store(ca.ep)
			}
			took[i] = searchTime(t, ca)
			p := ca.Stats().Paths[0]
			t.Logf("ICMP %v: search complete after %v at MTU %d, %d probes, %d hints", icmp, took[i], p.MTU, p.PMTUProbes, p.PMTUHints)
			assert.LessOrEqual(t, p.MTU, mtu1280v4)
			if icmp {
				assert.Equal(t, mtu1280v4, p.MTU, "the router's size, confirmed")
				assert.Equal(t, uint64(3), p.PMTUProbes, "the base, the interface's size, the hint")
				assert.Equal(t, uint64(1), p.PMTUHints)
			} else {
				assert.Zero(t, p.PMTUHints)
			}
		})
	}
	assert.Less(t, took[1], took[0]/5, "virtual time: the hint shortens the search")
}

// ptbFor is a Packet Too Big that quotes a packet a sent to its primary
// path: its ports and the peer's verification tag, as a router on the
// path would, unless tag is nonzero.
func ptbFor(a *Association, size int, tag uint32) encap.PacketTooBig {
	a.ep.mu.Lock()
	if tag == 0 {
		tag = a.routePeerTag
	}
	a.ep.mu.Unlock()
	q := make([]byte, 64)
	binary.BigEndian.PutUint16(q, a.localPort)
	binary.BigEndian.PutUint16(q[2:], a.peerPort)
	binary.BigEndian.PutUint32(q[4:], tag)
	return encap.PacketTooBig{Remote: netip.AddrPortFrom(addrB, DefaultUDPPort), Router: router, Size: size, Quote: q}
}

// TestPMTUHintsIgnored sends forged and inconsistent Packet Too Bigs to a
// path that carries 1472 bytes: the endpoint drops those that quote no
// packet of an association (wrong tag, a quote too short to check, an
// unknown destination), the search those above its MTU or below the base,
// and one below the MTU only triggers a re-probe, which the path answers:
// the MTU never moves.
func TestPMTUHintsIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var link mtuLink
		_, ca, _ := mtuPair(t, Config{}, &link)
		full := DefaultPMTU - ipv4Overhead - udpOverhead
		searchTime(t, ca)
		require.Equal(t, full, ca.Stats().Paths[0].MTU)
		events := ca.Events()
		for len(events) > 0 {
			<-events
		}
		probes := ca.Stats().Paths[0].PMTUProbes

		ep := ca.ep
		ep.packetTooBig(ptbFor(ca, 1252, 0xdeadbeef)) // wrong tag
		short := ptbFor(ca, 1252, 0)
		short.Quote = short.Quote[:8] // RFC 792's minimum: the UDP header only
		ep.packetTooBig(short)
		other := ptbFor(ca, 1252, 0)
		other.Remote = netip.MustParseAddrPort("198.51.100.7:9899")
		ep.packetTooBig(other)
		time.Sleep(time.Second)
		assert.Equal(t, uint64(3), ep.Stats().PacketTooBigIgnored)

		ep.packetTooBig(ptbFor(ca, 1600, 0))       // above what is sent
		ep.packetTooBig(ptbFor(ca, 576, 0))        // below the base
		ep.packetTooBig(ptbFor(ca, baseMTU4-4, 0)) // just below it
		time.Sleep(time.Second)
		p := ca.Stats().Paths[0]
		assert.Equal(t, uint64(3), p.PMTUHintsIgnored)
		assert.Equal(t, probes, p.PMTUProbes, "no probe for them")

		ep.packetTooBig(ptbFor(ca, 1300, 0)) // consistent, but the path still carries full size
		time.Sleep(time.Second)
		p = ca.Stats().Paths[0]
		assert.Equal(t, uint64(1), p.PMTUHints)
		assert.Equal(t, probes+1, p.PMTUProbes, "one re-probe of the MTU")
		assert.Equal(t, full, p.MTU)
		assert.Equal(t, "search-complete", p.MTUSearch)
		for len(events) > 0 {
			e := <-events
			assert.NotEqual(t, EventPathMTU, e.Type, "the MTU never changed: %v", e)
		}
	})
}

// TestPMTUHintNeedsProbe: a router reports 1252 bytes but its link
// carries only the base size. The hint is probed, the probe is lost, and
// the MTU never leaves the base: a hint raises nothing by itself.
func TestPMTUHintNeedsProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var link mtuLink
		link.limit.Store(baseMTU4)
		link.claim.Store(mtu1280v4)
		_, ca, _ := mtuPair(t, Config{}, &link)
		link.icmp.Store(ca.ep)
		events := ca.Events()
		searchTime(t, ca)
		p := ca.Stats().Paths[0]
		t.Logf("MTU %d after %d probes, %d hints", p.MTU, p.PMTUProbes, p.PMTUHints)
		assert.Equal(t, baseMTU4, p.MTU)
		assert.NotZero(t, p.PMTUHints)
		for len(events) > 0 {
			e := <-events
			assert.NotEqual(t, EventPathMTU, e.Type, "the MTU never changed: %v", e)
		}
	})
}
