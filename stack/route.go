package stack

import (
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
)

// routeCache remembers the OS's route toward each destination (the source
// address it would use and the route's MTU), until the local addresses
// change. The question goes to a UDP socket opened with the endpoint (one
// per family), so that it is answered by the network the endpoint lives
// in (a namespace, say) even when asked from another thread: connecting a
// UDP socket sends nothing, and its local address and MTU are then the
// OS's choice.
type routeCache struct {
	mu     sync.Mutex // also serializes the probe sockets' connects
	m      map[netip.Addr]route
	probe4 syscall.RawConn
	probe6 syscall.RawConn
	socks  []io.Closer
}

// open opens the probe sockets on the endpoint's network, where it has
// sockets the OS can be asked through.
func (c *routeCache) open(cfg *Config) {
	if cfg.PacketConn != nil || !canProbe {
		return // a simulated network has no OS to ask; elsewhere askOS dials
	}
	for _, network := range []string{"udp4", "udp6"} {
		var conn net.PacketConn
		var err error
		if cfg.Net != nil {
			conn, err = cfg.Net.ListenUDP(network, nil)
		} else {
			conn, err = net.ListenUDP(network, nil)
		}
		if err != nil {
			continue // no such family here
		}
		sc, ok := conn.(syscall.Conn)
		if !ok {
			conn.Close() // not an OS socket (pion vnet): askOS dials instead
			continue
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			conn.Close()
			continue
		}
		c.socks = append(c.socks, conn)
		if network == "udp4" {
			c.probe4 = rc
		} else {
			c.probe6 = rc
		}
	}
}

// route is what the OS said about the way to a destination: the source
// address it would send from, and the MTU of the route (IP packet bytes).
// The zero Addr and a zero MTU mean that it could not tell.
type route struct {
	src netip.Addr
	mtu int
}

// close closes the probe sockets.
func (c *routeCache) close() {
	for _, s := range c.socks {
		s.Close()
	}
}

// maxRoutes bounds the cache: peers choose the destinations.
const maxRoutes = 1024

// discardPort is the port the source query connects to. Connecting a UDP
// socket sends nothing; the port only has to be valid.
const discardPort = 9

// pickSource is the source address for dst among allowed (any local
// address if allowed is empty): the one the OS would use if it is one of
// them, otherwise the prefix rule of sourceAmong.
func (ep *Endpoint) pickSource(dst netip.Addr, allowed []netip.Addr) netip.Addr {
	dst = dst.Unmap()
	if src, ok := ep.routeSource(dst); ok && slices.Contains(ep.conn.LocalAddrs(), src) && (len(allowed) == 0 || slices.Contains(allowed, src)) {
		return src
	}
	return ep.sourceAmong(dst, allowed)
}

// routeSource asks the OS (through the cache) which source address it
// would send to dst from. This follows the routing table, policy routing
// included, which the prefix rule cannot see.
func (ep *Endpoint) routeSource(dst netip.Addr) (netip.Addr, bool) {
	r := ep.osRoute(dst)
	return r.src, r.src.IsValid()
}

// routeMTU is the MTU of the OS's route toward dst (IP packet bytes), as
// the OS reports it, or false where it cannot tell.
func (ep *Endpoint) routeMTU(dst netip.Addr) (int, bool) {
	r := ep.osRoute(dst)
	return r.mtu, r.mtu > 0
}

// osRoute returns the OS's route toward dst, asking the OS once per
// destination.
func (ep *Endpoint) osRoute(dst netip.Addr) route {
	dst = dst.Unmap()
	if ep.cfg.PacketConn != nil || dst.Is6() && dst.IsLinkLocalUnicast() {
		return route{} // a simulated network has no OS; link-local needs a zone
	}
	c := &ep.routes
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[dst]
	if !ok {
		r = ep.askOS(dst)
		if c.m == nil || len(c.m) >= maxRoutes {
			c.m = make(map[netip.Addr]route)
		}
		c.m[dst] = r
	}
	return r
}

// askOS returns the OS's route toward dst; the caller holds
// ep.routes.mu. Only a probe socket tells the MTU.
func (ep *Endpoint) askOS(dst netip.Addr) route {
	probe, network := ep.routes.probe4, "udp4"
	if dst.Is6() {
		probe, network = ep.routes.probe6, "udp6"
	}
	if probe != nil {
		return connectedRoute(probe, netip.AddrPortFrom(dst, discardPort))
	}
	raddr := net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, discardPort))
	var conn net.Conn
	var err error
	if ep.cfg.Net != nil {
		conn, err = ep.cfg.Net.DialUDP(network, nil, raddr)
	} else {
		conn, err = net.DialUDP(network, nil, raddr)
	}
	if err != nil {
		return route{}
	}
	defer conn.Close()
	local, ok := conn.LocalAddr().(*net.UDPAddr)
	if !ok {
		return route{}
	}
	return route{src: local.AddrPort().Addr().Unmap()}
}

// forgetRoutes empties the cache: the local addresses changed.
func (ep *Endpoint) forgetRoutes() {
	ep.routes.mu.Lock()
	ep.routes.m = nil
	ep.routes.mu.Unlock()
}
