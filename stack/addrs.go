package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"net"
	"net/netip"
	"slices"
)

// Address scopes. Loopback and link-local addresses mean something only
// to peers in the same scope, so they are neither announced to nor taken
// from peers outside it.
type scope uint8

const (
	scopeGlobal scope = iota // includes private ranges
	scopeLinkLocal
	scopeLoopback
)

func scopeOf(a netip.Addr) scope {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return scopeLoopback
	case a.IsLinkLocalUnicast():
		return scopeLinkLocal
	}
	return scopeGlobal
}

// visibleTo reports whether address a may be used with a peer at peer: a
// global address always, a loopback or link-local one only within its
// scope.
func visibleTo(a, peer netip.Addr) bool {
	s := scopeOf(a)
	return s == scopeGlobal || s == scopeOf(peer)
}

func sameFamily(a, b netip.Addr) bool { return a.Unmap().Is4() == b.Unmap().Is4() }

// interfaceAddrs lists the addresses of the host's (or the virtual
// network's) interfaces with their prefixes.
func (ep *Endpoint) interfaceAddrs() []netip.Prefix {
	var addrs []net.Addr
	if ep.cfg.Net != nil {
		ifs, err := ep.cfg.Net.Interfaces()
		if err != nil {
			return nil
		}
		for _, ifc := range ifs {
			as, _ := ifc.Addrs()
			addrs = append(addrs, as...)
		}
	} else {
		as, err := net.InterfaceAddrs()
		if err != nil {
			return nil
		}
		addrs = as
	}
	return netPrefixes(addrs)
}

// netPrefixes converts interface addresses to prefixes.
func netPrefixes(addrs []net.Addr) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			ip, _ := netip.AddrFromSlice(ipn.IP)
			ones, _ := ipn.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
		}
	}
	return out
}

// allLoopback reports whether addrs are chosen loopback addresses, with
// no wildcard among them.
func allLoopback(addrs []netip.Addr) bool {
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return false
		}
	}
	return len(addrs) > 0
}

// expandWildcard replaces 0.0.0.0 and :: in addrs by the interface
// addresses of that family.
func expandWildcard(addrs []netip.Addr, ifs []netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		if !a.IsUnspecified() {
			out = append(out, a)
			continue
		}
		for _, p := range ifs {
			ia := p.Addr()
			if sameFamily(ia, a) && usableWildcard(ia) && !slices.Contains(out, ia) && (a.Is4() || !ia.Is4In6()) {
				out = append(out, ia)
			}
		}
	}
	return out
}

// prefixOf returns the interface prefix of local address a, if known.
func (ep *Endpoint) prefixOf(a netip.Addr) (netip.Prefix, bool) {
	for _, p := range ep.prefixes {
		if p.Addr() == a {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// sourceFor picks the local address to reach dst from: the one the OS
// would use, or else the prefix rule of sourceAmong.
func (ep *Endpoint) sourceFor(dst netip.Addr) netip.Addr { return ep.pickSource(dst, nil) }

// sourceAmong is the prefix rule, restricted to the addresses in allowed
// when that is not empty (an association may use only the addresses its
// peer knows): one on the same subnet if the interfaces tell; otherwise,
// among those of the same family and scope, the one sharing the longest
// prefix with dst (as RFC 6724 rule 9 does); otherwise any of the same
// family.
func (ep *Endpoint) sourceAmong(dst netip.Addr, allowed []netip.Addr) netip.Addr {
	dst = dst.Unmap()
	var best, any netip.Addr
	bestLen := -1
	for _, a := range ep.conn.LocalAddrs() {
		a = a.Unmap()
		if !sameFamily(a, dst) || (len(allowed) > 0 && !slices.Contains(allowed, a)) {
			continue
		}
		if p, ok := ep.prefixOf(a); ok && p.Contains(dst) {
			return a
		}
		if !any.IsValid() {
			any = a
		}
		if scopeOf(a) == scopeOf(dst) {
			if n := commonPrefixLen(a, dst); n > bestLen {
				best, bestLen = a, n
			}
		}
	}
	if best.IsValid() {
		return best
	}
	return any
}

// commonPrefixLen counts the leading bits a and b share.
func commonPrefixLen(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	n := 0
	for i := range x {
		d := x[i] ^ y[i]
		if d != 0 {
			return n + bits.LeadingZeros8(d)
		}
		n += 8
	}
	return n
}

// bind opens a socket on addr if the endpoint has none there yet.
func (ep *Endpoint) bind(addr netip.Addr) error {
	if slices.Contains(ep.conn.LocalAddrs(), addr) {
		return nil
	}
	if err := ep.conn.AddAddr(addr); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sctp: binding %v: %w", addr, err)
	}
	ep.forgetRoutes()
	return nil
}

// canReach reports whether a peer address learned from a peer at peer can
// be used: of a family we have, and in a scope that makes sense there.
func (ep *Endpoint) canReach(addr, peer netip.Addr) bool {
	if !visibleTo(addr, peer) {
		return false
	}
	for _, a := range ep.conn.LocalAddrs() {
		if sameFamily(a, addr) && visibleTo(a, addr) {
			return true
		}
	}
	return false
}

// announced lists the local addresses to put in an INIT or INIT ACK for a
// peer at peer: those it can use, and only loopback ones for a peer on
// loopback (this very host: our other addresses would add paths through
// the same host, not another network). With a single one the packet's
// source address says it all, and none is listed.
func (ep *Endpoint) announced(peer netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range ep.conn.LocalAddrs() {
		if visibleTo(a, peer) && (scopeOf(peer) != scopeLoopback || scopeOf(a) == scopeLoopback) {
			out = append(out, a)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}
