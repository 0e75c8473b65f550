package asap

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// listenAnnounce opens the socket Server Announces arrive on. For a
// multicast group the net package binds the wildcard address with
// SO_REUSEADDR, so that several listeners on one host (a pool element and
// a pool user, as with RSPLIB) all get every announce.
func listenAnnounce(addr netip.AddrPort) (*net.UDPConn, error) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, fmt.Errorf("asap: announce socket: %w", err)
	}
	if addr.Addr().IsMulticast() {
		if err := joinGroup(c, addr.Addr()); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// joinGroup joins group on every interface that is up and multicast-
// capable, and on loopback, whose multicast flag Linux leaves unset
// although joining works there: a registrar on the same host may announce
// through it. It fails only if no join succeeds.
func joinGroup(c *net.UDPConn, group netip.Addr) error {
	var p interface {
		JoinGroup(*net.Interface, net.Addr) error
	} = ipv4.NewPacketConn(c)
	if group.Is6() {
		p = ipv6.NewPacketConn(c)
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("asap: joining announce group %v: %w", group, err)
	}
	g := &net.UDPAddr{IP: group.AsSlice()}
	joined, errs := false, []error{}
	for i := range ifs {
		ifi := &ifs[i]
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&(net.FlagMulticast|net.FlagLoopback) == 0 {
			continue
		}
		if err := p.JoinGroup(ifi, g); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ifi.Name, err))
			continue
		}
		joined = true
	}
	switch {
	case joined:
		return nil
	case len(errs) == 0:
		return fmt.Errorf("asap: cannot join announce group %v: no interface is up and multicast-capable", group)
	}
	return fmt.Errorf("asap: cannot join announce group %v on any interface: %w", group, errors.Join(errs...))
}

// read takes in every datagram until the socket is closed. Reading fails
// only then: an unconnected UDP socket is told of no ICMP errors.
func (a *Announces) read() {
	defer close(a.done)
	buf := make([]byte, 1<<16)
	for {
		n, from, err := a.c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		a.handle(buf[:n], from.Addr().Unmap(), time.Now())
	}
}

// handle takes in a datagram from src received at now. Anything but a
// usable Server Announce is counted and dropped.
func (a *Announces) handle(b []byte, src netip.Addr, now time.Time) {
	sa, err := decodeAnnounce(b)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case errors.Is(err, errNotAnnounce):
		a.stats.Ignored++
	case err != nil:
		a.stats.Malformed++
	case !a.heard(sa, src, now):
		a.stats.Ignored++
	default:
		a.stats.Announces++
	}
}

// errNotAnnounce marks a well-formed ASAP message of another type.
var errNotAnnounce = errors.New("asap: not a Server Announce")

// decodeAnnounce decodes the Server Announce in b.
func decodeAnnounce(b []byte) (wire.ServerAnnounce, error) {
	var sa wire.ServerAnnounce
	m, err := wire.ParseASAP(b)
	switch {
	case err != nil:
		return sa, err
	case m.Type() != wire.ASAPServerAnnounce:
		return sa, errNotAnnounce
	}
	return sa, m.Decode(&sa)
}

// registrarOf returns where to reach the registrar sa announces: the
// addresses and port of its first SCTP transport or, if it names no
// transport, the announce's source address and the ASAP port. Wildcard
// addresses (a registrar bound to all of its own) are replaced by the
// source too. An announce that names other transports only is of no use:
// elements and users talk to registrars over SCTP.
func registrarOf(sa wire.ServerAnnounce, src netip.Addr, udpPort uint16) (stack.Remote, bool) {
	if len(sa.Transports) == 0 {
		return stack.Remote{Addrs: []netip.Addr{src}, Port: wire.PortASAP, UDPPort: udpPort}, true
	}
	i := slices.IndexFunc(sa.Transports, func(t wire.Transport) bool { return t.Type == wire.ParamSCTPTransport })
	if i < 0 || sa.Transports[i].Port == 0 {
		return stack.Remote{}, false
	}
	t := sa.Transports[i]
	addrs := slices.DeleteFunc(t.Addrs, netip.Addr.IsUnspecified)
	if len(addrs) == 0 {
		addrs = []netip.Addr{src}
	}
	return stack.Remote{Addrs: addrs, Port: t.Port, UDPPort: udpPort}, true
}
