package encap

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestDontFragment sends datagrams too large for a 1280-byte link, as a
// GSO run and one by one, and ones that fit. With DF on every datagram the
// large ones are refused (EMSGSIZE locally, as a router would drop them)
// whichever way they are sent; with the kernel's default they left
// fragmented and arrived. The small ones must still arrive.
func TestDontFragment(t *testing.T) {
	testenv.Root(t)
	ns := netns.New(t, "df")
	ns.IP("link", "set", "lo", "mtu", "1280")
	var tr *Transport
	var rx *net.UDPConn
	require.NoError(t, ns.Do(func() (err error) {
		lo := netip.MustParseAddr("127.0.0.1")
		if tr, err = Open(Config{Addrs: []netip.Addr{lo}}, ignore); err != nil {
			return err
		}
		rx, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(lo, 0)))
		return err
	}))
	t.Cleanup(func() { _ = tr.Close(); _ = rx.Close() })
	dst := rx.LocalAddr().(*net.UDPAddr).AddrPort()

	large := numbered(4, 1400, 1400, dst) // a GSO run of five
	err := tr.SendBatch(large)
	require.ErrorIs(t, err, unix.EMSGSIZE, "GSO run of 1400-byte datagrams on a 1280-byte link")
	require.ErrorIs(t, tr.Send(large[0]), unix.EMSGSIZE, "lone 1400-byte datagram")
	small := numbered(2, 1000, 1000, dst)
	require.NoError(t, tr.SendBatch(small))

	got := 0
	buf := make([]byte, 2048)
	for got < len(small) {
		require.NoError(t, rx.SetReadDeadline(time.Now().Add(5*time.Second)))
		n, _, err := rx.ReadFromUDPAddrPort(buf)
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		require.NoError(t, err, "after %d datagrams", got)
		require.Equal(t, 1000, n, "a datagram of the large sends arrived (fragmented)")
		got++
	}
	require.Equal(t, len(small), got)
}
