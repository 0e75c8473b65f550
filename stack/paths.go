package stack

import "time"

// Path management (RFC 9260 section 8.2, SCTP-PF of RFC 7829). A path is
// unconfirmed until a heartbeat verifies it, active while it answers,
// potentially failed (PF) once its error count passes PFThreshold, and
// inactive past Path.Max.Retrans. New data goes to a.primary, the current
// destination: the preferred path while it is active, otherwise the best
// other one. When the preferred path recovers, data returns to it once it
// has stayed active for SwitchbackHold, so a flapping path does not churn.

// pathHeard records that p answered: its error counter resets and a path
// that was unconfirmed, potentially failed or inactive becomes active.
func (a *Association) pathHeard(now time.Time, p *path) {
	p.errors = 0
	if !a.addip.holdUntil.IsZero() {
		defer a.resumeAfterOutage() // once p is active
	}
	if p.state == PathActive {
		return
	}
	if p.state == PathUnconfirmed {
		a.emit(Event{Type: EventPathConfirmed, Addr: p.remote})
	} else {
		a.emit(Event{Type: EventPathUp, Addr: p.remote})
	}
	p.state = PathActive
	p.activeSince = now
	a.choosePrimary(now)
}

// pathError counts a retransmission timeout or unanswered heartbeat on p:
// past the PF threshold the path is potentially failed, past
// Path.Max.Retrans inactive; past Association.Max.Retrans, counted over
// confirmed paths, the peer is unreachable (section 8.1).
func (a *Association) pathError(now time.Time, p *path) {
	p.errors++
	if p.state != PathUnconfirmed {
		a.errors++
		if a.errors > a.cfg.AssocMaxRetrans && !a.holdForHandover(now) {
			a.abortWith(now, nil, ErrCommunicationLost)
			return
		}
	}
	switch {
	case p.errors > a.cfg.PathMaxRetrans && p.state != PathInactive:
		if p.state != PathUnconfirmed {
			a.emit(Event{Type: EventPathDown, Addr: p.remote})
		}
		p.state = PathInactive
	case p.state == PathActive && a.cfg.PFThreshold >= 0 && p.errors > a.cfg.PFThreshold:
		p.state = PathPotentiallyFailed
		a.emit(Event{Type: EventPathPotentiallyFailed, Addr: p.remote})
		if !p.hbPending && a.cfg.HeartbeatInterval >= 0 {
			p.hbDue = now.Add(p.rto.rto) // probe it once per RTO from now on
		}
	default:
		return
	}
	a.choosePrimary(now)
}

// choosePrimary picks the destination for new data and reports a change.
func (a *Association) choosePrimary(now time.Time) {
	next := a.bestPath(now)
	if next == nil || next == a.primary {
		return
	}
	a.primary = next
	a.stats.PrimaryChanges++
	a.emit(Event{Type: EventPrimaryChanged, Addr: next.remote})
}

// bestPath is the current destination for new data: the preferred path if
// it is active and (when returning to it) has been for SwitchbackHold; the
// current one if still active; another active path, the one with the
// lowest smoothed RTT; a potentially failed path with the fewest errors
// (RFC 7829 section 5.1); and if all else failed, the preferred path.
func (a *Association) bestPath(now time.Time) *path {
	pref, cur := a.preferred, a.primary
	if pref == nil {
		return cur
	}
	if pref.state == PathActive && (cur == pref || a.chosen || a.switchbackReady(now)) {
		a.chosen = false
		return pref
	}
	if cur != nil && cur.state == PathActive {
		return cur
	}
	var best *path
	for _, p := range a.paths {
		if p.state == PathActive && (best == nil || p.rto.srtt < best.rto.srtt) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	for _, p := range a.paths {
		if p.state == PathPotentiallyFailed && (best == nil || p.errors < best.errors) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	return pref
}

// switchbackReady reports whether data may return to the recovered
// preferred path, arming the timer that rechecks it.
func (a *Association) switchbackReady(now time.Time) bool {
	hold := a.cfg.SwitchbackHold
	if hold < 0 {
		return a.primary == nil || a.primary.state != PathActive
	}
	due := a.preferred.activeSince.Add(hold)
	if !now.Before(due) {
		a.switchbackDue = time.Time{}
		return true
	}
	a.switchbackDue = due
	return false
}

// setPreferred makes p the preferred path, as the user or the peer (Set
// Primary Address) asked; the choice applies at once if p is active, with
// no switch-back hold.
func (a *Association) setPreferred(p *path) {
	a.preferred = p
	a.chosen = true // no switch-back hold for an explicit choice
	a.choosePrimary(time.Now())
}

// onProbation reports whether p is the recovered preferred path that data
// has not returned to yet.
func (a *Association) onProbation(p *path) bool {
	return p == a.preferred && p != a.primary && p.state == PathActive
}

// onSwitchback rechecks the destination when the hold time has passed.
func (a *Association) onSwitchback(now time.Time) {
	a.switchbackDue = time.Time{}
	a.choosePrimary(now)
}

// rtxPath is where a retransmission of c goes. A chunk that timed out goes
// to an active path other than the one that lost it, when there is one
// (section 6.4); a fast retransmission stays on its path while that path
// is usable.
func (a *Association) rtxPath(c *outChunk) *path {
	if !c.timedOut && c.path != nil && c.path.usable() {
		return c.path
	}
	if p := a.primary; p != c.path && p.state == PathActive {
		return p
	}
	for _, p := range a.paths {
		if p != c.path && p.state == PathActive {
			return p
		}
	}
	return a.primary
}
