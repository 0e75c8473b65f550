package encap

import (
	"io"
	"net"
	"net/netip"
	"testing"
)

// fakeConn returns one canned ReadFrom result.
type fakeConn struct {
	net.PacketConn
	data []byte
	from net.Addr
	err  error
}

func (c *fakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	return copy(b, c.data), c.from, c.err
}

// TestNetAddrConnRead covers what the vnet tests cannot force: IPv4
// sources in 16-byte form, and non-UDP addresses.
func TestNetAddrConnRead(t *testing.T) {
	v4in16 := &net.UDPAddr{IP: net.ParseIP("192.0.2.1"), Port: 7}
	cases := []struct {
		name    string
		conn    fakeConn
		buf     int
		n       int
		from    netip.AddrPort
		wantErr bool
	}{
		{"16-byte IPv4 source", fakeConn{data: []byte("abc"), from: v4in16}, 10, 3, netip.MustParseAddrPort("192.0.2.1:7"), false},
		{"short buffer counts as full", fakeConn{data: []byte("abcdef"), from: v4in16, err: io.ErrShortBuffer}, 4, 4, netip.MustParseAddrPort("192.0.2.1:7"), false},
		{"non-UDP source", fakeConn{data: []byte("abc"), from: &net.IPAddr{IP: net.IPv6loopback}}, 10, 0, netip.AddrPort{}, true},
		{"read error", fakeConn{err: net.ErrClosed}, 10, 0, netip.AddrPort{}, true},
	}
	for _, c := range cases {
		n, from, err := netAddrConn{&c.conn}.ReadFromUDPAddrPort(make([]byte, c.buf))
		if n != c.n || from != c.from || (err != nil) != c.wantErr {
			t.Errorf("%s: got %d, %v, %v; want %d, %v, error %v", c.name, n, from, err, c.n, c.from, c.wantErr)
		}
	}
}
