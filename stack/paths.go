package stack

import (
	"net/netip"
	"time"
)

// pathHeard records that p answered: its error counter resets and a path
// that was unconfirmed, potentially failed or inactive becomes active.
func (a *Association) pathHeard(_ time.Time, p *path) {
	p.errors = 0
	switch p.state {
	case PathActive:
		return
	case PathUnconfirmed:
		a.events.post(Event{Type: EventPathConfirmed, Addr: p.remote})
	default:
		a.events.post(Event{Type: EventPathUp, Addr: p.remote})
	}
	p.state = PathActive
}

// pathError counts a retransmission timeout or unanswered heartbeat on p
// (RFC 9260 section 8.2): past Path.Max.Retrans the path is down; past
// Association.Max.Retrans, counted over confirmed paths, so is the peer
// (section 8.1).
func (a *Association) pathError(now time.Time, p *path) {
	p.errors++
	if p.state != PathUnconfirmed {
		a.errors++
		if a.errors > a.cfg.AssocMaxRetrans {
			a.abortWith(now, nil, ErrCommunicationLost)
			return
		}
	}
	if p.errors > a.cfg.PathMaxRetrans && p.state != PathInactive {
		if p.state != PathUnconfirmed {
			a.events.post(Event{Type: EventPathDown, Addr: p.remote})
		}
		p.state = PathInactive
		if p == a.primary {
			a.failover(now)
		}
	}
}

// failover moves the primary role to the best active path, if there is
// one; otherwise the primary stays and keeps being probed.
func (a *Association) failover(_ time.Time) {
	var best *path
	for _, p := range a.paths {
		if p != a.primary && p.usable() && (best == nil || p.rto.srtt < best.rto.srtt) {
			best = p
		}
	}
	if best == nil {
		return
	}
	a.primary = best
	a.events.post(Event{Type: EventPrimaryChanged, Addr: best.remote})
}

// canReach reports whether the endpoint has an address of dst's family.
func (ep *Endpoint) canReach(dst netip.Addr) bool {
	for _, a := range ep.conn.LocalAddrs() {
		if a.Unmap().Is4() == dst.Unmap().Is4() {
			return true
		}
	}
	return false
}

// sourceFor picks the local address to send to dst from: one of the same
// address family.
func (ep *Endpoint) sourceFor(dst netip.Addr) netip.Addr {
	addrs := ep.conn.LocalAddrs()
	for _, a := range addrs {
		if a.Unmap().Is4() == dst.Unmap().Is4() {
			return a
		}
	}
	if len(addrs) > 0 {
		return addrs[0]
	}
	return netip.Addr{}
}
