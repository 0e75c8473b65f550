package stack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/addip"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Where our ASCONFs go and from which address: normally the primary path
// and its source, but after a move from an address that is still ours
// (one being added, if need be), toward the peer address that source
// reaches best, or toward a peer address given by AddPeerAddr.

// asconfRoute is where an ASCONF goes: the path, the packet's source, and
// the ASCONF's Address Parameter.
type asconfRoute struct {
	path   *path
	src    netip.Addr
	lookup netip.Addr
}

// routeASCONF picks the route of an ASCONF toward p: from prefer if
// given, else from p's source while it is still ours, else from an
// address still present, one being added first. Without p it goes to the
// primary, or rather to the peer address that the source reaches best, so
// that an ASCONF from a new network does not try the old one first. The
// Address Parameter is the source if the peer knows it, else an address
// it does.
func (a *Association) routeASCONF(p *path, prefer netip.Addr) asconfRoute {
	pinned := p != nil
	if !pinned {
		p = a.primary
	}
	src := prefer
	if !src.IsValid() || !sameFamily(src, p.remote.Addr()) {
		src = a.asconfSource(p)
	}
	if src != p.local && !pinned {
		p = a.pathFrom(src, p)
	}
	return asconfRoute{path: p, src: src, lookup: a.knownLocal(src)}
}

// asconfSource returns p's source if it is bound and not on its way out,
// else the best present address.
func (a *Association) asconfSource(p *path) netip.Addr {
	bound := a.ep.conn.LocalAddrs()
	usable := func(x netip.Addr) bool {
		return slices.Contains(bound, x) && !slices.Contains(a.addip.leaving, x) && !slices.Contains(a.addip.held, x)
	}
	if usable(p.local) {
		return p.local
	}
	adding := a.addip.tx.Adding()
	for i := len(adding) - 1; i >= 0; i-- { // the newest first
		if usable(adding[i]) && sameFamily(adding[i], p.remote.Addr()) {
			return adding[i]
		}
	}
	for _, x := range bound {
		if usable(x) && sameFamily(x, p.remote.Addr()) && a.announceable(x) {
			return x
		}
	}
	return p.local
}

// pathFrom returns the path whose peer address shares the longest prefix
// with src, def on a tie with it.
func (a *Association) pathFrom(src netip.Addr, def *path) *path {
	best, bestLen := def, commonPrefixLen(def.remote.Addr().Unmap(), src)
	for _, p := range a.paths {
		if n := commonPrefixLen(p.remote.Addr().Unmap(), src); n > bestLen && sameFamily(p.remote.Addr(), src) {
			best, bestLen = p, n
		}
	}
	return best
}

// knownLocal returns src if the peer knows it as ours, else an address it
// knows, preferably one not on its way out.
func (a *Association) knownLocal(src netip.Addr) netip.Addr {
	st := &a.addip
	if slices.Contains(st.locals, src) || len(st.locals) == 0 {
		return src
	}
	for _, x := range st.locals {
		if !slices.Contains(st.leaving, x) && !slices.Contains(st.held, x) {
			return x
		}
	}
	return st.locals[0]
}

// sendASCONFs queues ASCONF chunks on route r, in order: one packet, one
// AUTH chunk ahead of them.
func (a *Association) sendASCONFs(r asconfRoute, cs []*wire.Asconf) {
	for _, c := range cs {
		a.queueCtrlTo(c.Append(nil), r.path.remote, r.src, a.peerTag)
	}
}

// asconfBudget is the room for ASCONF chunks in a packet on p.
func (a *Association) asconfBudget(p *path) int {
	return p.mtu - wire.CommonHeaderLen - a.auth.AuthLen()
}

// resendASCONF sends what is in flight again at once from the new local
// address addr, with what was queued meanwhile bundled behind it
// (addip.Sender.Resend explains the serial numbers): the request in flight
// left from an address that may be gone and would otherwise wait for
// T4-RTO.
func (a *Association) resendASCONF(now time.Time, addr netip.Addr) {
	a.resendVia(now, a.addip.target, addr)
}

// resendVia sends what is in flight again at once toward p (nil: the
// best path) from prefer (zero: the best source).
func (a *Association) resendVia(now time.Time, p *path, prefer netip.Addr) {
	if !a.asconfAvailable() || a.primary == nil {
		return
	}
	if _, inFlight := a.addip.tx.Deadline(); !inFlight {
		return
	}
	r := a.routeASCONF(p, prefer)
	cs, fresh, err := a.addip.tx.Resend(now, r.lookup, a.asconfBudget(r.path), addip.Path{Dest: r.path.remote.Addr(), RTO: r.path.rto.rto})
	if err != nil {
		return
	}
	a.sendASCONFs(r, cs)
	a.stats.AsconfsSent += uint64(fresh)
	a.stats.Retransmissions += uint64(len(cs) - fresh)
}
