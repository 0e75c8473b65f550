package stack

import (
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
)

// mtuLink is a link of a smaller MTU behind a router: it drops every
// datagram whose SCTP packet (the UDP payload) is larger than limit (zero
// passes everything). The router's ICMP errors never arrive (a black
// hole) unless icmp holds an endpoint: then it gets a Packet Too Big of
// the datagrams it sent, 5 ms later, as its transport would report it,
// of size limit or, if set, claim. The network's goroutines read them
// all, hence the atomics.
type mtuLink struct {
	limit, claim atomic.Int64
	icmp         atomic.Pointer[Endpoint]
}

// router is the address of the router that sends the Packet Too Bigs.
var router = netip.MustParseAddr("192.0.2.254")

func (l *mtuLink) install(n *simnet.Network) {
	n.AddFilter(func(src, dst netip.AddrPort, data []byte) simnet.Verdict {
		limit := int(l.limit.Load())
		if limit == 0 || len(data) <= limit {
			return simnet.Pass
		}
		if ep := l.icmp.Load(); ep != nil && slices.Contains(ep.LocalAddrs(), src.Addr()) {
			size := int(l.claim.Load())
			if size == 0 {
				size = limit
			}
			r := encap.PacketTooBig{Local: src, Remote: dst, Router: router, Size: size, Quote: slices.Clone(data[:min(len(data), 64)])}
			time.AfterFunc(5*time.Millisecond, func() { ep.packetTooBig(r) })
		}
		return simnet.Drop
	})
}

// mtuPair is simPair with links of 5 ms through link (see mtuLink).
func mtuPair(t *testing.T, cliCfg Config, link *mtuLink) (*simnet.Network, *Association, *Association) {
	t.Helper()
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
	link.install(n)
	srv := simEndpoint(t, n.AddHost("server", addrB), Config{Port: 5000}, true)
	cli := simEndpoint(t, n.AddHost("client", addrA), cliCfg, false)
	ca, sa := connect(t, cli, srv, addrB)
	return n, ca, sa
}

// A 1280-byte IPv4 link carries 1252 bytes of SCTP packet over UDP.
const mtu1280v4 = 1280 - ipv4Overhead - udpOverhead

func TestPMTUSearchFindsSmallerPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var link mtuLink
		link.limit.Store(mtu1280v4)
		_, ca, sa := mtuPair(t, Config{}, &link)
		// The transfer runs while the search probes: data packets never
		// exceed what a probe confirmed, and lost probes are no data loss.
		// It lasts about two minutes, so that the search finishes.
		transfer(t, ca, sa, load{bytes: 2 << 20, size: 8000, streams: 2, gap: 500 * time.Millisecond})
		s := ca.Stats()
		p := s.Paths[0]
		assert.Equal(t, "search-complete", p.MTUSearch)
		assert.LessOrEqual(t, p.MTU, mtu1280v4)
		assert.Greater(t, p.MTU, mtu1280v4-16, "within one search step of the link")
		assert.Greater(t, p.PMTUProbes, uint64(3))
		// Lost probes are not congestion or path failure.
		assert.Zero(t, s.Retransmissions)
		assert.Zero(t, s.T3Expirations)
		assert.Zero(t, p.Errors)
		assert.Equal(t, 1<<30, p.Ssthresh, "the window was never cut")
		assert.Equal(t, PathActive, p.State)
		assert.Zero(t, p.PMTUBlackHoles)
	})
}

func TestPMTUSearchWholePath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, ca, _ := simPair(t, 1, Config{}, Config{})
		n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
		time.Sleep(time.Second)
		p := ca.Stats().Paths[0]
		assert.Equal(t, "search-complete", p.MTUSearch)
		assert.Equal(t, DefaultPMTU-ipv4Overhead-udpOverhead, p.MTU)
		assert.Equal(t, uint64(2), p.PMTUProbes, "the base, then the interface's size")
	})
}

func TestPMTUFixed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, ca, _ := simPair(t, 1, Config{PMTUFixed: true, PMTU: 1400}, Config{})
		n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
		time.Sleep(time.Minute)
		p := ca.Stats().Paths[0]
		assert.Equal(t, "fixed", p.MTUSearch)
		assert.Equal(t, 1400-ipv4Overhead-udpOverhead, p.MTU)
		assert.Zero(t, p.PMTUProbes)
	})
}

// TestPMTUBlackHoleMidTransfer lowers the link's MTU in the middle of a
// transfer of large messages: the packets already sized for the larger
// MTU are lost, T3 finds the black hole, and the retransmissions go in
// base-size packets, so the transfer completes.
func TestPMTUBlackHoleMidTransfer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var link mtuLink
		_, ca, sa := mtuPair(t, Config{}, &link)
		events := ca.Events()
		drop := time.AfterFunc(500*time.Millisecond, func() {
			require.Equal(t, DefaultPMTU-ipv4Overhead-udpOverhead, ca.Stats().Paths[0].MTU, "the search found the whole path first")
			link.limit.Store(mtu1280v4)
		})
		defer drop.Stop()
		transfer(t, ca, sa, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 2 * time.Millisecond})
		s := ca.Stats()
		p := s.Paths[0]
		t.Logf("after the drop: MTU %d (%s), black holes %d, T3 %d, retransmissions %d",
			p.MTU, p.MTUSearch, p.PMTUBlackHoles, s.T3Expirations, s.Retransmissions)
		assert.NotZero(t, link.limit.Load(), "the MTU dropped during the transfer")
		assert.LessOrEqual(t, p.MTU, mtu1280v4)
		assert.Equal(t, uint64(1), p.PMTUBlackHoles)
		var mtus []int
		for len(events) > 0 {
			if e := <-events; e.Type == EventPathMTU {
				mtus = append(mtus, e.MTU)
			}
		}
		assert.Contains(t, mtus, baseMTU4, "an event for the fall to the base: %v", mtus)
	})
}

// TestPMTURestartOnMove moves the client (AutoASCONF) to a network whose
// MTU is 1280, with ICMP lost on the way: the path to the server gets the
// new source and searches again from the base at once, instead of
// sending packets of the old network's size into the black hole, and
// finds the new network's size.
func TestPMTURestartOnMove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, hc, ca, _ := autoPairNet(t)
		n.AddFilter(func(src, dst netip.AddrPort, data []byte) simnet.Verdict {
			if (src.Addr() == newAddr || dst.Addr() == newAddr) && len(data) > mtu1280v4 {
				return simnet.Drop
			}
			return simnet.Pass
		})
		time.Sleep(time.Second)
		require.Equal(t, DefaultPMTU-ipv4Overhead-udpOverhead, ca.Stats().Paths[0].MTU)
		hc.AddAddr(newAddr)
		time.Sleep(time.Second)
		hc.RemoveAddr(cli1)
		time.Sleep(time.Second)
		p := ca.Stats().Paths[0]
		require.Equal(t, newAddr, p.Local, "the path has the new source")
		assert.LessOrEqual(t, p.MTU, mtu1280v4, "searching again from the base (%s)", p.MTUSearch)
		time.Sleep(2 * time.Minute)
		p = ca.Stats().Paths[0]
		assert.Equal(t, "search-complete", p.MTUSearch)
		assert.LessOrEqual(t, p.MTU, mtu1280v4)
		assert.Greater(t, p.MTU, mtu1280v4-16)
	})
}

// TestFragSizes checks how messages are cut (DATA chunks, 16-byte
// header): whole up to what a base-size packet carries, larger ones in
// equal chunks that fill the PMTU; with PMTUFixed, at the PMTU.
func TestFragSizes(t *testing.T) {
	v4 := netip.MustParseAddrPort("192.0.2.2:9899")
	v6 := netip.MustParseAddrPort("[2001:db8::2]:9899")
	cases := []struct {
		name        string
		remote      netip.AddrPort
		cfg         Config
		mtu         int // the search's current PMTU; 0: as configured
		whole, frag int
	}{
		{"IPv4 at the base", v4, Config{}, 0, 1220 - 12 - 16, 1220 - 12 - 16},
		{"IPv4 at 1472: two chunks a packet", v4, Config{}, 1472, 1220 - 12 - 16, 1460/2&^3 - 16},
		{"IPv6 at 1452", v6, Config{}, 1452, 1200 - 12 - 16, 1440/2 - 16},
		{"IPv4 jumbo", v4, Config{PMTU: 9000}, 8972, 1220 - 12 - 16, 8960/8&^3 - 16},
		{"fixed", v4, Config{PMTUFixed: true}, 0, 1472 - 12 - 16, 1472 - 12 - 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg.withDefaults()
			p := newPath(tc.remote, netip.Addr{}, &cfg)
			p.state = PathActive
			if tc.mtu != 0 {
				p.mtu = tc.mtu
			}
			a := &Association{pathManager: pathManager{paths: []*path{p}}}
			whole, frag := a.fragSizes()
			assert.Equal(t, tc.whole, whole, "whole")
			assert.Equal(t, tc.frag, frag, "frag")
			assert.Equal(t, 1000, fragSize(1000, whole, frag), "a 1000-byte message goes whole")
		})
	}
}
