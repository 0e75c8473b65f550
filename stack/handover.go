package stack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/addip"
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
func (a *Association) addLocal(now time.Time, addr netip.Addr, primary bool) error {
	st := &a.addip
	if i := slices.Index(st.held, addr); i >= 0 {
		st.held = slices.Delete(st.held, i, i+1)
		return nil
	}
	if err := a.queueASCONF(now, addip.AddIP, addr); err != nil {
		return err
	}
	held := st.held
	st.held = nil
	if len(held) > 0 {
		// Timeouts while we had no address backed the RTOs off; T4-RTO
		// for the ASCONF that ends the outage must not inherit that.
		a.restoreRTOs()
	}
	if (primary || len(held) > 0) && a.queueASCONF(now, addip.SetPrimary, addr) == nil {
		st.moveTo = addr
	}
	for _, h := range held {
		_ = a.queueASCONF(now, addip.DeleteIP, h)
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
