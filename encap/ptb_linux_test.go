//go:build !mobisctp_portable

package encap

import (
	"net"
	"net/netip"
	"os/exec"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// ptbLog is a Config.PacketTooBig that keeps what it is given.
type ptbLog struct {
	mu  sync.Mutex
	got []PacketTooBig
}

func (l *ptbLog) report(r PacketTooBig) {
	l.mu.Lock()
	r.Quote = append([]byte(nil), r.Quote...)
	l.got = append(l.got, r)
	l.mu.Unlock()
}

func (l *ptbLog) all() []PacketTooBig {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]PacketTooBig(nil), l.got...)
}

// TestPacketTooBigFromRouter sends a datagram too large for a router's
// next link (MTU 1280): the router's ICMP "fragmentation needed" comes
// back through the error queue as a report with the router, the
// destination, the payload size the MTU allows and the start of the
// datagram. The kernel also hands that error to the socket's next
// operation; the small datagrams sent after it must all still go.
// A datagram too large for the local interface (MTU 1400) is reported by
// the host itself.
func TestPacketTooBigFromRouter(t *testing.T) {
	cli, srv := ptbNet(t)
	log := &ptbLog{}
	rx := newCollector()
	var tx, sink *Transport
	require.NoError(t, cli.Do(func() (err error) {
		tx, err = Open(Config{Addrs: []netip.Addr{netip.MustParseAddr("10.9.1.2")}, PacketTooBig: log.report}, ignore)
		return err
	}))
	t.Cleanup(func() { _ = tx.Close() })
	require.NoError(t, srv.Do(func() (err error) {
		sink, err = Open(Config{Addrs: []netip.Addr{netip.MustParseAddr("10.9.2.2")}}, rx.handle)
		return err
	}))
	t.Cleanup(func() { _ = sink.Close() })
	dst := endpoint(sink, netip.MustParseAddr("10.9.2.2"))

	big := numbered(0, 0, 1300, dst)[0]
	copy(big.Data[2:], "quoted")
	require.NoError(t, tx.Send(big), "the router refuses it, not the host")
	require.True(t, eventually(func() bool { return len(log.all()) > 0 }), "no report of the router's ICMP error")
	small := numbered(9, 1000, 1000, dst)
	for _, d := range small {
		require.NoError(t, tx.Send(d), "a small datagram after the ICMP error")
	}
	got := rx.wait(t, len(small))
	assert.Len(t, got, len(small))

	r := log.all()[0]
	assert.Equal(t, dst, r.Remote)
	assert.Equal(t, netip.MustParseAddr("10.9.1.1"), r.Router)
	assert.Equal(t, 1280-20-8, r.Size)
	assert.Equal(t, "quoted", string(r.Quote[2:8]))
	assert.Equal(t, netip.MustParseAddr("10.9.1.2"), r.Local.Addr())

	err := tx.Send(numbered(0, 0, 1390, dst)[0])
	require.ErrorIs(t, err, unix.EMSGSIZE, "over the local interface's MTU")
	require.Len(t, log.all(), 2)
	r = log.all()[1]
	assert.Equal(t, dst.Addr(), r.Remote.Addr())
	assert.False(t, r.Router.IsValid(), "refused by the host itself")
	assert.Equal(t, 1400-20-8, r.Size)

	st := tx.Stats()
	assert.Equal(t, uint64(2), st.PacketTooBig)
	assert.Equal(t, uint64(1), st.SendErrors, "only the datagram over the interface's MTU")
	t.Logf("ICMP errors read %d, read errors %d", st.ICMPErrors, st.ReadErrors)
}

// ptbNet is a client and a server namespace joined through a router
// whose link to the server has an MTU of 1280; the client's own link has
// an MTU of 1400. Addresses: client 10.9.1.2, router 10.9.1.1, server
// 10.9.2.2.
func ptbNet(t *testing.T) (cli, srv *netns.NS) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "sysctl")
	cli, rtr, srv := netns.New(t, "ptbc"), netns.New(t, "ptbr"), netns.New(t, "ptbs")
	netns.Veth(t, cli, "eth0", netip.MustParsePrefix("10.9.1.2/24"), rtr, "r0", netip.MustParsePrefix("10.9.1.1/24"))
	netns.Veth(t, srv, "eth0", netip.MustParsePrefix("10.9.2.2/24"), rtr, "r1", netip.MustParsePrefix("10.9.2.1/24"))
	cli.IP("route", "add", "default", "via", "10.9.1.1")
	srv.IP("route", "add", "default", "via", "10.9.2.1")
	cli.IP("link", "set", "eth0", "mtu", "1400")
	rtr.IP("link", "set", "r1", "mtu", "1280")
	if out, err := exec.Command("ip", "netns", "exec", rtr.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1").CombinedOutput(); err != nil {
		t.Fatalf("router forwarding: %v %s", err, out)
	}
	return cli, srv
}

// TestICMPErrorFailsNextSend shows what the send path guards against: on
// a socket with IP_RECVERR and no reader to take it, the router's error
// fails the next send, of another datagram, and the error queue tells
// that failure apart from a refusal of the datagram itself.
func TestICMPErrorFailsNextSend(t *testing.T) {
	cli, _ := ptbNet(t)
	var conn *net.UDPConn
	require.NoError(t, cli.Do(func() (err error) {
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 9, 1, 2)})
		return err
	}))
	t.Cleanup(func() { _ = conn.Close() })
	require.True(t, setDontFragment(conn, false))
	q := openErrQueue(conn, false)
	require.NotNil(t, q)
	dst := &net.UDPAddr{IP: net.IPv4(10, 9, 2, 2), Port: 9}
	_, err := conn.WriteToUDP(make([]byte, 1300), dst)
	require.NoError(t, err)
	var sendErr error
	require.True(t, eventually(func() bool {
		_, sendErr = conn.WriteToUDP(make([]byte, 100), dst)
		return sendErr != nil
	}), "the ICMP error never reached a send")
	require.ErrorIs(t, sendErr, unix.EMSGSIZE)
	local := netip.MustParseAddrPort(conn.LocalAddr().String())
	ptbs, read, async := q.drain(local, unix.EMSGSIZE)
	assert.True(t, async, "the error queue holds the router's error")
	assert.Equal(t, 1, read)
	require.Len(t, ptbs, 1)
	assert.Equal(t, 1252, ptbs[0].Size)
	_, _, async = q.drain(local, unix.EMSGSIZE)
	assert.False(t, async, "drained")
}
