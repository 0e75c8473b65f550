package stack

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestNamespacePMTUBlackHole runs large messages from a client through a
// router to a server whose link from the router has an MTU of 1280, with
// the router's "fragmentation needed" errors dropped: an ICMP black hole.
// The search must find the path's size (at most 1252 bytes of SCTP packet
// over UDP/IPv4) without ICMP, and the transfer must arrive whole (SHA-256)
// and shut down cleanly, both when the link is small from the start and
// when its MTU drops in the middle of the transfer. The last case drops it
// with the router's ICMP errors delivered: the Packet Too Big hint then
// takes the path straight to the link's size; the time from the drop to
// the last MTU change is logged for both.
func TestNamespacePMTUBlackHole(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	testenv.Tool(t, "nft")
	for _, tc := range []struct {
		name   string
		dropAt time.Duration // when the link's MTU drops to 1280; 0: from the start
		l      load
		icmp   bool // the router's "fragmentation needed" gets through
	}{
		// 4 MB paced over 20 s: the search (about 12 s with a 1 s probe
		// timeout) finishes while data flows.
		{"from-start", 0, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond}, false},
		{"mid-transfer", 2 * time.Second, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond}, false},
		// As fast as it goes, for the rate in the log (at the base size:
		// the search is not done yet).
		{"unpaced", 0, load{bytes: 64 << 20, size: 8000, streams: 2}, false},
		{"mid-transfer-icmp", 2 * time.Second, load{bytes: 4 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newRoutedNet(t)
			// r10 is the router's end of the server's first uplink.
			if !tc.icmp {
				n.rtr.Filter("output", "icmp type destination-unreachable icmp code frag-needed drop")
			}
			dropped := make(chan time.Time, 1)
			small := func() {
				n.rtr.IP("link", "set", "r10", "mtu", "1280")
				dropped <- time.Now()
			}
			if tc.dropAt == 0 {
				small()
			} else {
				drop := time.AfterFunc(tc.dropAt, small)
				defer drop.Stop()
			}
			srv := nsEndpoint(t, n.srv, Config{LocalAddrs: []netip.Addr{srvUp[0].addr.Addr()}, Port: 5000})
			oversized := &dataOver{limit: 1280 - ipv4Overhead - udpOverhead}
			cli := nsEndpoint(t, n.cli, Config{LocalAddrs: []netip.Addr{cliUp[0].addr.Addr()}, Tap: oversized,
				PMTUProbeTimeout: time.Second}) // the smallest RFC 8899 allows, for a short test
			srv.Listen()
			ca, sa := connect(t, cli, srv, srvUp[0].addr.Addr())
			events := eventTimes(ca)
			start := time.Now()
			transfer(t, ca, sa, tc.l)
			secs := time.Since(start).Seconds()
			s := ca.Stats()
			p := s.Paths[0]
			t.Logf("%.1f Mbit/s; path MTU %d (%s), probes %d, hints %d, black holes %d, retransmissions %d (fast %d, T3 %d)",
				float64(tc.l.bytes)*8/secs/1e6, p.MTU, p.MTUSearch, p.PMTUProbes, p.PMTUHints, p.PMTUBlackHoles, s.Retransmissions, s.FastRetransmits, s.T3Expirations)
			if tc.dropAt > 0 {
				at := <-dropped
				var steps []string
				for _, e := range events(EventPathMTU) {
					steps = append(steps, fmt.Sprintf("%d at %+v", e.MTU, e.Time.Sub(at).Round(time.Millisecond)))
				}
				t.Logf("MTU changes from the drop: %s", strings.Join(steps, ", "))
			}
			assert.LessOrEqual(t, p.MTU, 1280-ipv4Overhead-udpOverhead, "the discovered PMTU")
			if tc.l.gap > 0 {
				assert.Greater(t, p.MTU, 1280-ipv4Overhead-udpOverhead-16, "within one search step of the link")
				assert.Equal(t, "search-complete", p.MTUSearch)
			}
			switch {
			case tc.icmp && encap.ReportsPacketTooBig:
				assert.Equal(t, 1280-ipv4Overhead-udpOverhead, p.MTU, "the router's size, confirmed by a probe")
				assert.NotZero(t, p.PMTUHints)
			case tc.dropAt > 0:
				assert.Equal(t, uint64(1), p.PMTUBlackHoles)
			default: // the link was small from the start
				assert.Zero(t, oversized.n.Load(), "DATA packets sized beyond what a probe confirmed")
			}
		})
	}
}

// dataOver is a Tap that counts the packets with DATA larger than limit
// bytes of SCTP packet. (A T3 expiry would hint at them too, but a loaded
// machine's unpaced transfer loses packets and sees T3 expiries anyway.)
type dataOver struct {
	limit int
	n     atomic.Int64
}

func (d *dataOver) WriteUDP(_ time.Time, _, _ netip.AddrPort, b []byte) error {
	if len(b) <= d.limit {
		return nil
	}
	it := wire.Packet(b).Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if t := c.Type(); t == wire.TypeData || t == wire.TypeIData {
			d.n.Add(1)
			break
		}
	}
	return nil
}

// TestNamespacePMTUHint compares, on the black-hole network (the
// router's link to the server at MTU 1280), how long the client's search
// takes with the router's "fragmentation needed" dropped and delivered
// (the Packet Too Big hint), or with the client's own link at 1280 (the
// route's MTU, the search's ceiling, tells it before any probe), then how
// fast large messages go once it is done, against a path whose MTU the client is told (PMTUFixed at 1280):
// the rate a clear 1280-byte path gives. The times and rates are logged,
// not asserted: wall-clock speed is no test of correctness here.
func TestNamespacePMTUHint(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	testenv.Tool(t, "nft")
	const link = 1280 - ipv4Overhead - udpOverhead
	for _, tc := range []struct {
		name  string
		icmp  bool
		fixed bool
		local bool // the client's own link has the MTU of 1280 too
	}{
		{"black-hole", false, false, false},
		{"icmp", true, false, false},
		{"local-1280", false, false, true}, // the route's MTU is the ceiling: no probe above it
		{"fixed-1280", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newRoutedNet(t)
			if !tc.icmp {
				n.rtr.Filter("output", "icmp type destination-unreachable icmp code frag-needed drop")
			}
			n.rtr.IP("link", "set", "r10", "mtu", "1280")
			if tc.local {
				n.cli.IP("link", "set", cliUp[0].ifname, "mtu", "1280")
				n.rtr.IP("link", "set", "r00", "mtu", "1280")
			}
			cfg := Config{LocalAddrs: []netip.Addr{cliUp[0].addr.Addr()}, PMTUProbeTimeout: time.Second}
			if tc.fixed {
				cfg.PMTU, cfg.PMTUFixed = 1280, true
			}
			srv := nsEndpoint(t, n.srv, Config{LocalAddrs: []netip.Addr{srvUp[0].addr.Addr()}, Port: 5000})
			cli := nsEndpoint(t, n.cli, cfg)
			srv.Listen()
			ca, sa := connect(t, cli, srv, srvUp[0].addr.Addr())
			took := waitSearch(t, ca)
			p := ca.Stats().Paths[0] // what the search found
			t.Logf("search done after %v at MTU %d (%d probes, %d hints)", took.Round(time.Millisecond), p.MTU, p.PMTUProbes, p.PMTUHints)
			l := load{bytes: 64 << 20, size: 8000, streams: 2}
			start := time.Now()
			transfer(t, ca, sa, l)
			secs := time.Since(start).Seconds()
			// The search is checked as it completed, not after the
			// transfer: on a loaded machine the unpaced transfer can lose
			// packets (the receiver's socket buffer overflows while its
			// reader waits for a CPU), a T3 expiry is then taken for a
			// black hole (RFC 8899 section 4.3), and the search that
			// follows stops one step below the size that failed (seen:
			// 1248, then 1232).
			s := ca.Stats()
			after := s.Paths[0]
			t.Logf("then %.1f Mbit/s; after it MTU %d (%s), probes %d, black holes %d, T3 expirations %d",
				float64(l.bytes)*8/secs/1e6, after.MTU, after.MTUSearch, after.PMTUProbes, after.PMTUBlackHoles, s.T3Expirations)
			assert.LessOrEqual(t, p.MTU, link)
			switch {
			case tc.local:
				assert.Equal(t, link, p.MTU, "the route's MTU, confirmed by a probe")
				assert.Zero(t, p.PMTUHints, "no probe exceeded the route's MTU: the host refused none")
			case tc.icmp && encap.ReportsPacketTooBig:
				assert.Equal(t, link, p.MTU, "the reported size, confirmed by a probe")
				assert.NotZero(t, p.PMTUHints)
			case tc.fixed:
				assert.Equal(t, link, p.MTU)
			default:
				assert.Greater(t, p.MTU, link-16, "within one search step of the link")
				assert.Zero(t, p.PMTUHints, "ICMP was dropped, or this build has no reports")
			}
		})
	}
}

// TestNamespacePMTUMove moves the client (AutoASCONF) in the middle of a
// transfer from its first uplink to its second, a network whose MTU is
// 1280: the router's end of that uplink has that MTU, and the router
// forwards what comes from it to the server over a route of MTU 1280
// (locked, so that forwarding obeys it), with its ICMP errors dropped. The
// client's own interface says 1500, so only the search can tell. The
// transfer finishes
// whole (SHA-256) with a clean shutdown, and the path, now from the new
// address, reports a discovered PMTU within one search step of the link.
func TestNamespacePMTUMove(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	testenv.Tool(t, "nft")
	const link = 1280 - ipv4Overhead - udpOverhead
	n := newRoutedNet(t)
	n.rtr.Filter("output", "icmp type destination-unreachable icmp code frag-needed drop")
	n.rtr.IP("link", "set", "r01", "mtu", "1280") // r01: the router's end of the client's second uplink
	n.rtr.IP("route", "add", srvUp[0].addr.Masked().String(), "dev", "r10", "mtu", "lock", "1280", "table", "100")
	n.rtr.IP("rule", "add", "from", cliUp[1].addr.Masked().String(), "lookup", "100")
	srv := autoEndpoint(t, n.srv, Config{LocalAddrs: []netip.Addr{srvUp[0].addr.Addr()}, Port: 5000})
	cli := autoEndpoint(t, n.cli, Config{LocalAddrs: []netip.Addr{cliUp[0].addr.Addr()}, PMTUProbeTimeout: time.Second})
	srv.Listen()
	ca, sa := connect(t, cli, srv, srvUp[0].addr.Addr())
	waitSearch(t, ca)
	require.Equal(t, DefaultPMTU-ipv4Overhead-udpOverhead, ca.Stats().Paths[0].MTU, "the first uplink carries the interface's size")
	moved := make(chan time.Time, 1)
	go func() {
		time.Sleep(3 * time.Second)
		moved <- move(n.cli, cliUp, 100*time.Millisecond)
	}()
	// 6 MB over 30 s: the search on the new path (about 12 s with a 1 s
	// probe timeout) finishes while data flows.
	transfer(t, ca, sa, load{bytes: 6 << 20, size: 8000, streams: 2, gap: 40 * time.Millisecond})
	at := <-moved
	s := ca.Stats()
	p := s.Paths[0]
	t.Logf("moved %v ago; path from %v: MTU %d (%s), probes %d, black holes %d, retransmissions %d (T3 %d)",
		time.Since(at).Round(time.Millisecond), p.Local, p.MTU, p.MTUSearch, p.PMTUProbes, p.PMTUBlackHoles, s.Retransmissions, s.T3Expirations)
	assert.Equal(t, cliUp[1].addr.Addr(), p.Local, "the path uses the new address")
	assert.LessOrEqual(t, p.MTU, link, "the discovered PMTU")
	assert.Greater(t, p.MTU, link-16, "within one search step of the link")
	assert.Equal(t, "search-complete", p.MTUSearch)
}

// waitSearch returns how long a's first path takes to complete its MTU
// search (at most a minute), or how long the search was fixed.
func waitSearch(t *testing.T, a *Association) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < time.Minute {
		if s := a.Stats().Paths[0].MTUSearch; s == "search-complete" || s == "fixed" {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the MTU search did not complete in a minute")
	return 0
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
