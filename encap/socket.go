package encap

import (
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/pion/transport/v5"
)

// socket is one bound UDP socket and the state its reader goroutine shares
// with the rest of the Transport.
type socket struct {
	local             netip.AddrPort // bound address (unmapped) and port
	io                packetIO
	shape             ioShape
	readBuf, writeBuf int           // socket buffer sizes granted by the kernel
	errq              *errQueue     // the ICMP error reports, nil without Config.PacketTooBig or outside Linux
	drops             func() uint64 // the kernel's count of datagrams it dropped here; nil where unknown

	closing atomic.Bool   // set before io.close, so the reader takes its failing read as the end
	done    chan struct{} // closed when the reader has returned
}

// openSocket binds a UDP socket to a (unmapped) and port on cfg.Net. Its
// I/O counts what it does beyond moving datagrams (offload) in st.
func openSocket(cfg *Config, st *counters, a netip.Addr, port int) (*socket, error) {
	conn, err := listen(cfg.Net, netip.AddrPortFrom(a, uint16(port)))
	if err != nil {
		return nil, fmt.Errorf("encap: bind %v port %d: %w", a, port, err)
	}
	ua, _ := conn.LocalAddr().(*net.UDPAddr) // UDP listeners report a *net.UDPAddr
	s := &socket{local: netip.AddrPortFrom(a, ua.AddrPort().Port()), done: make(chan struct{})}
	s.readBuf, s.writeBuf = sizeBuffers(conn, cfg.ReadBuffer, cfg.WriteBuffer)
	s.drops = dropCounter(conn)
	if s.readBuf < cfg.ReadBuffer || s.writeBuf < cfg.WriteBuffer {
		cfg.Logger.Warnf("socket %v: asked for %d/%d-byte receive/send buffers, granted %d/%d (0: refused or not supported)",
			s.local, cfg.ReadBuffer, cfg.WriteBuffer, s.readBuf, s.writeBuf)
	}
	if _, kernel := conn.(*net.UDPConn); kernel && !setDontFragment(conn, a.Is6()) {
		cfg.Logger.Warnf("socket %v: cannot set Don't Fragment; datagrams over the path MTU may be fragmented", s.local)
	}
	if cfg.PacketTooBig != nil {
		s.errq = openErrQueue(conn, a.Is6())
	}
	o := ioOptions{batch: cfg.BatchSize, offload: !cfg.NoOffload, stats: st, log: cfg.Logger}
	s.io, s.shape = newPacketIO(conn, o)
	return s, nil
}

// listen binds a UDP socket on n, or on the host's network if n is nil.
// It uses the standard library directly rather than pion's stdnet, which
// would return the same *net.UDPConn.
func listen(n transport.Net, local netip.AddrPort) (net.PacketConn, error) {
	network := "udp6"
	if local.Addr().Is4() {
		network = "udp4"
	}
	laddr := net.UDPAddrFromAddrPort(local)
	if n != nil {
		return checked(n.ListenUDP(network, laddr))
	}
	return checked(net.ListenUDP(network, laddr))
}

// checked returns c as a net.PacketConn, or a nil interface on error (not
// one holding a nil pointer).
func checked[C net.PacketConn](c C, err error) (net.PacketConn, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// shut marks the socket closing and closes it, which ends its reader.
func (s *socket) shut() error {
	s.closing.Store(true)
	return s.io.close()
}
