package stack

import "net/netip"

// Wildcard is the default local address list: 0.0.0.0 and ::, which the
// endpoint expands to every address of the host's interfaces (one UDP
// socket each), as kernel SCTP binds every address by default. The INIT or
// INIT ACK then lists those a peer can use (no loopback addresses toward
// a peer elsewhere), each path leaves from the address the OS would pick
// for its destination, and with AutoASCONF the endpoint follows addresses
// as they come and go.
func Wildcard() []netip.Addr {
	return []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
}

// usableWildcard reports whether interface address a joins a wildcard
// expansion: not multicast, and not an IPv6 link-local address, which
// needs a zone to be bound.
func usableWildcard(a netip.Addr) bool {
	return !a.IsMulticast() && !(a.Is6() && !a.Is4In6() && a.IsLinkLocalUnicast())
}
