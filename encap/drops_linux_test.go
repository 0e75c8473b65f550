package encap

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDropCounterCountsOverflow fills a small receive buffer nobody reads
// and checks that the kernel's drop count shows the overflow.
func TestDropCounterCountsOverflow(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer rx.Close()
	require.NoError(t, rx.SetReadBuffer(4096))
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	require.NoError(t, err)
	defer tx.Close()

	drops := dropCounter(rx)
	if drops == nil {
		// Only where the system does not answer SO_MEMINFO (qemu-user).
		rc, err := rx.SyscallConn()
		require.NoError(t, err)
		_, err = socketDrops(rc)
		require.Error(t, err, "SO_MEMINFO works, yet there is no drop counter")
		return
	}
	require.Zero(t, drops(), "nothing sent yet")
	msg := make([]byte, 1000)
	const sent = 200
	for range sent {
		_, err := tx.Write(msg)
		require.NoError(t, err)
	}
	got := drops()
	require.Positive(t, got, "200 datagrams of 1000 bytes into a 4 KiB buffer")
	require.LessOrEqual(t, got, uint64(sent))
	require.Nil(t, dropCounter(nil), "not a kernel socket")
}
