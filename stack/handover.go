package stack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/addip"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Break-before-make: our only address goes before a new one exists. The
// peer would refuse to delete the last address it knows for us (RFC 5061
// section 5.3 F7), and an ASCONF sent from the vanished address is lost,
// so the Delete is held back until a new address appears. Then one ASCONF
// leaves from the new address with Add IP (new), Set Primary (new) and
// Delete IP (old), in that order, and an address the peer knows (the old
// one) as its Address Parameter, by which the peer finds the association
// although the packet comes from an address it has never seen (section
// 4.1.1). Once acknowledged, what was in flight is sent again at once on
// the new address instead of after a timer backed off while we had none.

// holdsLastAddress reports whether deleting addr would leave the peer no
// address of ours: none it knows or is about to learn (an Add queued or
// in flight comes first, in order) that is not itself on its way out.
func (a *Association) holdsLastAddress(addr netip.Addr) bool {
	st := &a.addip
	for _, x := range slices.Concat(st.locals, st.tx.Adding()) {
		if x != addr && !slices.Contains(st.leaving, x) && !slices.Contains(st.held, x) {
			return false
		}
	}
	return true
}

// holdDelete keeps a Delete IP Address of our last address back until a
// new address exists; see addLocal.
func (a *Association) holdDelete(addr netip.Addr) {
	if !slices.Contains(a.addip.held, addr) {
		a.addip.held = append(a.addip.held, addr)
	}
	a.addip.stranded = true
}

// addLocal queues the requests for a new local address: Add IP Address,
// then Set Primary Address if primary or if it replaces held addresses,
// then the held Deletes, which no longer leave the peer without an
// address. An address that comes back while its Delete is held needs no
// request at all: the peer never heard it was gone.
func (a *Association) addLocal(addr netip.Addr, primary bool) error {
	st := &a.addip
	if i := slices.Index(st.held, addr); i >= 0 {
		st.held = slices.Delete(st.held, i, i+1)
		return nil
	}
	if err := a.queueASCONF(addip.AddIP, addr); err != nil {
		return err
	}
	held := st.held
	st.held = nil
	if len(held) > 0 {
		// Timeouts while we had no address backed the RTOs off; T4-RTO
		// for the ASCONF that ends the outage must not inherit that.
		a.restoreRTOs()
	}
	if (primary || len(held) > 0) && a.queueASCONF(addip.SetPrimary, addr) == nil {
		st.moveTo = addr
	}
	for _, h := range held {
		_ = a.queueASCONF(addip.DeleteIP, h)
	}
	return nil
}

// announceable reports whether addr may be offered to this peer: a
// loopback or link-local address only to a peer whose every address is in
// the same scope (an address the peer cannot reach is worse than none).
func (a *Association) announceable(addr netip.Addr) bool {
	for _, p := range a.paths {
		if !visibleTo(addr, p.remote.Addr().Unmap()) {
			return false
		}
	}
	return len(a.paths) > 0
}

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
	if !src.IsValid() {
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

// resumeAfterOutage runs when the peer acknowledged the address that
// ended a break-before-make move, or when a path answered during a
// handover hold. Timeouts during the outage backed off the RTOs and left
// data waiting for T3 timers up to a minute away; none of that says
// anything about the network now. The RTOs return to what the
// measurements give, and what was outstanding is retransmitted at once.
func (a *Association) resumeAfterOutage() {
	a.addip.stranded = false
	a.addip.holdUntil = time.Time{}
	a.emit(Event{Type: EventHandoverResumed})
	a.errors = 0
	s := &a.tx
	a.restoreRTOs()
	for _, p := range a.paths {
		p.t3 = time.Time{}
	}
	for tsn := s.cumAck + 1; s.ring.len() > 0 && tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c == nil || c.state != chunkOutstanding {
			continue
		}
		a.removeFromFlight(c)
		s.setState(c, chunkMarked)
		c.misses = 0
		c.timedOut = true // to an active path, not necessarily its old one
	}
}

// holdForHandover decides, when the error limits are reached, whether the
// association waits instead of aborting: while no path is active, for
// HandoverHold from the first time the limits were reached. A path that
// answers ends the hold (pathHeard); onHoldExpired aborts if none did.
func (a *Association) holdForHandover(now time.Time) bool {
	if a.cfg.HandoverHold <= 0 || slices.ContainsFunc(a.paths, func(p *path) bool { return p.state == PathActive }) {
		return false
	}
	if a.addip.holdUntil.IsZero() {
		a.addip.holdUntil = now.Add(a.cfg.HandoverHold)
		a.emit(Event{Type: EventHandoverHold})
	}
	return true
}

// onHoldExpired ends a handover hold that no path ended.
func (a *Association) onHoldExpired(now time.Time) {
	a.addip.holdUntil = time.Time{}
	a.abortWith(now, nil, ErrCommunicationLost)
}

// restoreRTOs undoes the backoff of every path's RTO.
func (a *Association) restoreRTOs() {
	for _, p := range a.paths {
		p.rto.restore()
	}
}

// restore undoes the backoff: the RTO the measurements give, or the
// current one if there are none.
func (r *rtoCalc) restore() {
	if r.measured {
		r.rto = r.measuredRTO()
	}
}

// AddPeerAddr adds an address of the peer learned outside the association
// (an RSerPool resolution after the peer moved, say) as an unconfirmed
// path, which carries no data before a heartbeat confirms it (RFC 9260
// section 5.4): a wrong or forged hint costs a heartbeat, not data. Our
// ASCONFs go there from now on until one is acknowledged, and the one in
// flight goes there at once. After both ends moved this is how the peer
// learns our new address: it finds the association by the verification
// tag and the ASCONF's Address Parameter, an address it knows for us, and
// accepts the ASCONF from an unknown source only behind a valid AUTH
// chunk. A zero port means the peer's current UDP port.
func (a *Association) AddPeerAddr(addr netip.AddrPort) error {
	err := ErrClosed
	a.exec(func() { err = a.addPeerAddr(time.Now(), addr) })
	return err
}

func (a *Association) addPeerAddr(now time.Time, addr netip.AddrPort) error {
	if a.primary == nil {
		return ErrClosed
	}
	if addr.Port() == 0 {
		addr = netip.AddrPortFrom(addr.Addr(), a.primary.remote.Port())
	}
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	p := a.pathTo(addr.Addr())
	if p == nil {
		var err error
		if p, err = a.addPeerPath(addr, a.primary.remote.Addr().Unmap()); err != nil {
			return err
		}
		if a.asconfAvailable() {
			// No heartbeat yet: anyone at a forged address could echo
			// it. The path is probed once the peer acknowledged, behind
			// AUTH, an ASCONF sent there (targetReached).
			p.hbDue = time.Time{}
		}
	}
	if a.asconfAvailable() {
		a.addip.target = p
		a.resendVia(now, p, netip.Addr{})
	}
	return nil
}

// targetReached runs when an ASCONF-ACK arrived for an ASCONF last sent
// to dest: the ASCONFs no longer need to go to the AddPeerAddr address.
// If they went there, the authenticated answer shows that the peer is
// there, and the path (which the peer could not answer before it knew our
// new address) is probed at once.
func (a *Association) targetReached(now time.Time, dest netip.Addr) {
	p := a.addip.target
	if p == nil {
		return
	}
	a.addip.target = nil
	if p.remote.Addr() == dest && p.state != PathActive && a.cfg.HeartbeatInterval >= 0 {
		p.hbPending = false
		p.hbDue = now
	}
}

// moveQueuedSources moves the control chunks queued to leave from gone, an
// address the peer has just deleted, to a source it knows: answers
// queued earlier in the same packet (a HEARTBEAT ACK for a heartbeat
// bundled ahead of the ASCONF-ACK, as usrsctp sends them) would reach the
// peer from an address that is no longer ours for it, out of the blue.
func (a *Association) moveQueuedSources(gone netip.Addr) {
	for i := range a.ctrl {
		if c := &a.ctrl[i]; c.local == gone {
			c.local = a.sourceFor(c.remote.Addr())
		}
	}
}
