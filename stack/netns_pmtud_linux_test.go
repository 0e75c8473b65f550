package stack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestNamespacePMTUBlackHole runs large messages from a client through a
// router to a server whose link from the router has an MTU of 1280, with
// the router's "fragmentation needed" errors dropped: an ICMP black hole.
// The search must find the path's size (at most 1252 bytes of SCTP packet
// over UDP/IPv4) without ICMP, and the transfer must arrive whole (SHA-256)
// and shut down cleanly, both when the link is small from the start and
// when its MTU drops in the middle of the transfer.
func TestNamespacePMTUBlackHole(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	testenv.Tool(t, "nft")
	for _, tc := range []struct {
		name   string
		dropAt time.Duration // when the link's MTU drops to 1280; 0: from the start
		l      load
	}{
		// 4 MB paced over 20 s: the search (about 12 s with a 1 s probe
		// timeout) finishes while data flows.
		{"from-start", 0, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond}},
		{"mid-transfer", 2 * time.Second, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond}},
		// As fast as it goes, for the rate in the log (at the base size:
		// the search is not done yet).
		{"unpaced", 0, load{bytes: 64 << 20, size: 8000, streams: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newRoutedNet(t)
			// r10 is the router's end of the server's first uplink.
			n.rtr.Filter("output", "icmp type destination-unreachable icmp code frag-needed drop")
			small := func() { n.rtr.IP("link", "set", "r10", "mtu", "1280") }
			if tc.dropAt == 0 {
				small()
			} else {
				drop := time.AfterFunc(tc.dropAt, small)
				defer drop.Stop()
			}
			srv := nsEndpoint(t, n.srv, Config{LocalAddrs: []netip.Addr{srvUp[0].addr.Addr()}, Port: 5000})
			cli := nsEndpoint(t, n.cli, Config{LocalAddrs: []netip.Addr{cliUp[0].addr.Addr()}, PMTUProbeTimeout: time.Second}) // the smallest RFC 8899 allows, for a short test
			srv.Listen()
			ca, sa := connect(t, cli, srv, srvUp[0].addr.Addr())
			start := time.Now()
			transfer(t, ca, sa, tc.l)
			secs := time.Since(start).Seconds()
			s := ca.Stats()
			p := s.Paths[0]
			t.Logf("%.1f Mbit/s; path MTU %d (%s), probes %d, black holes %d, retransmissions %d (fast %d, T3 %d)",
				float64(tc.l.bytes)*8/secs/1e6, p.MTU, p.MTUSearch, p.PMTUProbes, p.PMTUBlackHoles, s.Retransmissions, s.FastRetransmits, s.T3Expirations)
			assert.LessOrEqual(t, p.MTU, 1280-ipv4Overhead-udpOverhead, "the discovered PMTU")
			if tc.l.gap > 0 {
				assert.Greater(t, p.MTU, 1280-ipv4Overhead-udpOverhead-16, "within one search step of the link")
				assert.Equal(t, "search-complete", p.MTUSearch)
			}
			if tc.dropAt > 0 {
				assert.Equal(t, uint64(1), p.PMTUBlackHoles)
			} else {
				assert.Zero(t, s.T3Expirations, "no data was sized beyond what a probe confirmed")
			}
		})
	}
}

// nsEndpoint opens an endpoint inside ns on the standard UDP port.
func nsEndpoint(t *testing.T, ns *netns.NS, cfg Config) *Endpoint {
	t.Helper()
	var ep *Endpoint
	cfg.UDPPort, cfg.Net = DefaultUDPPort, ns.Net()
	if err := ns.Do(func() (err error) { ep, err = NewEndpoint(cfg); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}
