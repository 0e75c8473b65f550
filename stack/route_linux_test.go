package stack

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// probeSocket opens a UDP socket of network (in the calling thread's
// namespace) for connectedRoute.
func probeSocket(t *testing.T, network string) syscall.RawConn {
	t.Helper()
	conn, err := net.ListenUDP(network, nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	rc, err := conn.SyscallConn()
	require.NoError(t, err)
	return rc
}

// loMTU is the loopback interface's MTU as the kernel lists it.
func loMTU(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/lo/mtu")
	require.NoError(t, err)
	mtu, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	return mtu
}

// TestConnectedRouteMTU: the query on a connected probe socket tells the
// source and the MTU of the route toward the destination: loopback's
// interface MTU (Linux caps it to the largest IP packet), and, in a namespace, a veth's MTU and a route's own mtu
// attribute below it, each destination answered by its own route.
func TestConnectedRouteMTU(t *testing.T) {
	t.Run("loopback", func(t *testing.T) {
		r := connectedRoute(probeSocket(t, "udp4"), netip.AddrPortFrom(loopback4, discardPort))
		assert.Equal(t, loopback4, r.src)
		assert.Equal(t, min(loMTU(t), maxIPPacket), r.mtu, "the interface's MTU, as far as an IP packet goes")
	})
	t.Run("namespace", func(t *testing.T) {
		a, _, pa, pb := jumboPair(t)
		a.IP("route", "add", "10.78.0.0/24", "via", pb.Addr().String(), "mtu", "1400")
		var routes []route
		require.NoError(t, a.Do(func() error {
			rc := probeSocket(t, "udp4")
			for _, dst := range []string{"10.77.0.2", "10.78.0.9", "10.77.0.3"} {
				routes = append(routes, connectedRoute(rc, netip.AddrPortFrom(netip.MustParseAddr(dst), discardPort)))
			}
			return nil
		}))
		assert.Equal(t, []route{{pa.Addr(), 9000}, {pa.Addr(), 1400}, {pa.Addr(), 9000}}, routes)
	})
}

// awaitSearchDone waits until the MTU search of a's only path is over and
// returns the path.
func awaitSearchDone(t *testing.T, a *Association) PathInfo {
	t.Helper()
	var p PathInfo
	require.Eventually(t, func() bool {
		p = a.Stats().Paths[0]
		return p.MTUSearch == "search-complete"
	}, 20*time.Second, 10*time.Millisecond, "the MTU search did not complete")
	return p
}

// searchWithData sends 64 KiB messages from a to b, reading each, until
// a's MTU search has completed at want bytes (the search goes beyond an
// Ethernet's packet size only for an association with bulk data), and
// returns a's path.
func searchWithData(t *testing.T, a, b *Association, want int) PathInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	msg, buf := payload(2, 64<<10), make([]byte, 64<<10+1)
	var p PathInfo
	for range 1000 {
		if p = a.Stats().Paths[0]; p.MTUSearch == "search-complete" && p.MTU == want {
			return p
		}
		require.NoError(t, a.SendMsg(ctx, msg, SendInfo{}))
		_, _, err := b.RecvMsg(ctx, buf)
		require.NoError(t, err)
	}
	t.Fatalf("after 1000 messages of 64 KiB the search is %s at %d bytes, want %d", p.MTUSearch, p.MTU, want)
	return p
}

// routePair connects two endpoints with cfg on addr, a loopback address.
func routePair(t *testing.T, addr netip.Addr, port uint16, cfg Config) (*Association, *Association) {
	t.Helper()
	cfg.LocalAddrs, cfg.EphemeralUDPPort = []netip.Addr{addr}, true
	srvCfg := cfg
	srvCfg.Port = port
	srv, err := Listen(srvCfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	cli, err := NewEndpoint(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	return connect(t, cli, srv, addr)
}

// TestLoopbackSearchReachesRouteMTU: with the default Config the search
// of both ends on loopback stops at an Ethernet's packet size while the
// association is idle, and rises to the loopback route's MTU (65536,
// capped to the largest IP packet) once it sends in bulk, where a
// 1500-byte ceiling stopped it at 1472 bytes; a Config.PMTU caps it, 1500
// at the old size; ::1 alike.
func TestLoopbackSearchReachesRouteMTU(t *testing.T) {
	loopback6 := netip.IPv6Loopback()
	lo := min(loMTU(t), maxIPPacket)
	for i, tc := range []struct {
		name string
		addr netip.Addr
		pmtu int
		want int
	}{
		{"IPv4 route MTU", loopback4, 0, (lo - ipv4Overhead - udpOverhead) &^ 3},
		{"IPv4 PMTU 1500", loopback4, 1500, 1500 - ipv4Overhead - udpOverhead},
		{"IPv4 PMTU 9000", loopback4, 9000, 9000 - ipv4Overhead - udpOverhead},
		{"IPv6 route MTU", loopback6, 0, (lo - ipv6Overhead - udpOverhead) &^ 3},
		{"IPv6 PMTU 1500", loopback6, 1500, 1500 - ipv6Overhead - udpOverhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.addr.Is6() {
				c, err := net.ListenUDP("udp6", net.UDPAddrFromAddrPort(netip.AddrPortFrom(tc.addr, 0)))
				if err != nil {
					t.Skipf("no ::1 here: %v", err)
				}
				c.Close()
			}
			ca, sa := routePair(t, tc.addr, uint16(5030+i), Config{PMTU: tc.pmtu})
			ethernet := 1500 - ipv4Overhead - udpOverhead // what an idle association's search reaches
			if tc.addr.Is6() {
				ethernet = 1500 - ipv6Overhead - udpOverhead
			}
			ethernet = min(ethernet, tc.want)
			for _, a := range []*Association{ca, sa} {
				p := awaitSearchDone(t, a)
				assert.Equal(t, ethernet, p.MTU, "idle: %v's path to %v", a.LocalAddr(), p.Remote)
				assert.LessOrEqual(t, p.PMTUProbes, uint64(2), "idle: the base and an Ethernet's size")
			}
			for _, ab := range [][2]*Association{{ca, sa}, {sa, ca}} {
				p := searchWithData(t, ab[0], ab[1], tc.want)
				assert.Equal(t, tc.want, p.MTU, "%v's path to %v", ab[0].LocalAddr(), p.Remote)
			}
			// Messages as large as a packet now arrive whole.
			msg := payload(1, min(tc.want, 60000))
			require.NoError(t, ca.SendMsg(t.Context(), msg, SendInfo{}))
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			buf := make([]byte, len(msg)+1)
			n, _, err := sa.RecvMsg(ctx, buf)
			require.NoError(t, err)
			assert.Equal(t, msg, buf[:n])
		})
	}
}

// TestLoopbackChunksFillPMTU: on a path to this host, which has no router
// to lose large packets, DATA chunks fill the confirmed PMTU instead of
// the base size: an 8000-byte message goes as one chunk.
func TestLoopbackChunksFillPMTU(t *testing.T) {
	ca, sa := routePair(t, loopback4, 5040, Config{})
	want := (min(loMTU(t), maxIPPacket) - ipv4Overhead - udpOverhead) &^ 3
	searchWithData(t, ca, sa, want)
	before := ca.Stats().ChunksSent
	msg := payload(3, 8000)
	require.NoError(t, ca.SendMsg(t.Context(), msg, SendInfo{}))
	buf := make([]byte, 8001)
	n, _, err := sa.RecvMsg(t.Context(), buf)
	require.NoError(t, err)
	assert.Equal(t, msg, buf[:n])
	assert.Equal(t, uint64(1), ca.Stats().ChunksSent-before, "chunks of an 8000-byte message")
}

// jumboPair joins two new namespaces by a veth of MTU 9000 (as root).
func jumboPair(t *testing.T) (a, b *netns.NS, pa, pb netip.Prefix) {
	t.Helper()
	testenv.Root(t)
	testenv.Tool(t, "ip")
	a, b = netns.New(t, "mtua"), netns.New(t, "mtub")
	pa, pb = netip.MustParsePrefix("10.77.0.1/24"), netip.MustParsePrefix("10.77.0.2/24")
	netns.Veth(t, a, "va", pa, b, "vb", pb)
	a.IP("link", "set", "va", "mtu", "9000")
	b.IP("link", "set", "vb", "mtu", "9000")
	return a, b, pa, pb
}

// TestNamespaceSearchReachesRouteMTU: between two namespaces joined by a
// veth of MTU 9000 the search rises to 8972 bytes, the veth route's MTU,
// not to loopback's or the 1500 of old.
func TestNamespaceSearchReachesRouteMTU(t *testing.T) {
	a, b, pa, pb := jumboPair(t)
	srv := nsEndpoint(t, b, Config{LocalAddrs: []netip.Addr{pb.Addr()}, Port: 5000})
	cli := nsEndpoint(t, a, Config{LocalAddrs: []netip.Addr{pa.Addr()}})
	srv.Listen()
	ca, sa := connect(t, cli, srv, pb.Addr())
	for _, ab := range [][2]*Association{{ca, sa}, {sa, ca}} {
		assert.Equal(t, 9000-ipv4Overhead-udpOverhead, searchWithData(t, ab[0], ab[1], 9000-ipv4Overhead-udpOverhead).MTU)
	}
}
