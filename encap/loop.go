package encap

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
)

// addrPortConn is the allocation-free datagram API of *net.UDPConn.
type addrPortConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	Close() error
}

// loopIO moves one datagram per system call: the portable strategy, also
// used on Linux when batching is disabled.
type loopIO struct{ c addrPortConn }

func (l loopIO) readEach(next func() []Datagram, got func([]Datagram, int) bool) error {
	for {
		ds := next()
		n, from, err := l.c.ReadFromUDPAddrPort(ds[0].Data)
		if err != nil {
			return err
		}
		ds[0].Data = ds[0].Data[:n]
		ds[0].Remote = from
		if !got(ds[:1], 1) {
			return nil
		}
	}
}

func (l loopIO) write(ds []Datagram) (int, error) {
	buf := flatPool.Get().(*[]byte)
	defer flatPool.Put(buf)
	for i := range ds {
		if _, err := l.c.WriteToUDPAddrPort(ds[i].flat(buf), ds[i].Remote); err != nil {
			return i, err
		}
	}
	return len(ds), nil
}

func (l loopIO) close() error { return l.c.Close() }

// netAddrConn adapts a connection that speaks net.Addr, such as pion's
// vnet UDPConn, to addrPortConn. Like *net.UDPConn, it reports IPv4
// sources as IPv4, never IPv4-mapped. It allocates an address per datagram; so
// does vnet itself.
type netAddrConn struct{ net.PacketConn }

func (c netAddrConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, addr, err := c.ReadFrom(b)
	if errors.Is(err, io.ErrShortBuffer) {
		// vnet's way to report a datagram longer than b, which it fills;
		// the reader's length check counts it as truncated.
		err = nil
	}
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, netip.AddrPort{}, fmt.Errorf("encap: datagram from non-UDP address %v", addr)
	}
	// A net.IP may hold an IPv4 address in 16 bytes (net.ParseIP does),
	// which netip reads as IPv4-mapped IPv6.
	ap := ua.AddrPort()
	return n, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

func (c netAddrConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	return c.WriteTo(b, net.UDPAddrFromAddrPort(addr))
}
