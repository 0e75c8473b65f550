package stack

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// Path management (RFC 9260 section 8.2, SCTP-PF of RFC 7829). A path is
// unconfirmed until a heartbeat verifies it, active while it answers,
// potentially failed (PF) once its error count passes PFThreshold, and
// inactive past Path.Max.Retrans. New data goes to primary, the current
// destination: the preferred path while it is active, otherwise the best
// other one. When the preferred path recovers, data returns to it once it
// has stayed active for SwitchbackHold, so a flapping path does not churn.

// pathManager owns an association's paths, the (local, remote) pairs:
// their states, when each is probed, and where data goes, new and
// retransmitted. It does no I/O and emits nothing: its methods take now
// and report what changed, and the association (embedding it) tells the
// application and sends.
type pathManager struct {
	cfg           *Config
	paths         []*path
	primary       *path // where new data goes now
	preferred     *path // the primary chosen at setup or by SetPrimary
	switchbackDue time.Time
	chosen        bool // the preferred path was just chosen: use it as soon as it is active
}

// pathChange is what an answer or an error did to a path.
type pathChange struct {
	from, to PathState // equal when the state stayed
	primary  bool      // the destination of new data changed
}

// addPath adds a destination.
func (m *pathManager) addPath(remote netip.AddrPort, local netip.Addr) *path {
	p := newPath(remote, local, m.cfg)
	m.paths = append(m.paths, p)
	return p
}

// pathTo returns the path to addr, or nil.
func (m *pathManager) pathTo(addr netip.Addr) *path {
	for _, p := range m.paths {
		if p.remote.Addr() == addr {
			return p
		}
	}
	return nil
}

// peerAddrs lists the peer's addresses.
func (m *pathManager) peerAddrs() []netip.Addr {
	addrs := make([]netip.Addr, len(m.paths))
	for i, p := range m.paths {
		addrs[i] = p.remote.Addr()
	}
	return addrs
}

// anyActive reports whether some path is active.
func (m *pathManager) anyActive() bool {
	return slices.ContainsFunc(m.paths, func(p *path) bool { return p.state == PathActive })
}

// startOn makes p the first destination, active before any answer: the
// handshake's own retransmissions tell whether it is.
func (m *pathManager) startOn(p *path) {
	m.primary, m.preferred = p, p
	p.state = PathActive
}

// rotateInit moves the destination of a retransmitted INIT to the peer's
// next address (section 5.1 C allows it), and reports whether it did.
func (m *pathManager) rotateInit() bool {
	if len(m.paths) < 2 {
		return false
	}
	i := slices.Index(m.paths, m.primary)
	m.primary = m.paths[(i+1)%len(m.paths)]
	m.primary.state = PathActive
	return true
}

// removePath drops p; the primary moves if it was p, and the result says
// whether the choice that follows changed it again.
func (m *pathManager) removePath(now time.Time, p *path) bool {
	m.paths = slices.DeleteFunc(m.paths, func(x *path) bool { return x == p })
	if m.preferred == p {
		m.preferred = nil
	}
	changed := false
	if m.primary == p {
		m.primary = m.paths[0]
		if m.preferred == nil {
			m.preferred = m.primary
		}
		changed = m.choose(now)
	}
	if m.preferred == nil {
		m.preferred = m.primary
	}
	return changed
}

// heard records that p answered: its error counter resets and a path
// that was unconfirmed, potentially failed or inactive becomes active.
func (m *pathManager) heard(now time.Time, p *path) pathChange {
	p.errors = 0
	ch := pathChange{from: p.state, to: PathActive}
	if p.state == PathActive {
		return ch
	}
	p.state = PathActive
	p.activeSince = now
	ch.primary = m.choose(now)
	return ch
}

// failed counts a retransmission timeout or unanswered heartbeat on p:
// past the PF threshold the path is potentially failed and probed once
// per RTO from now on, past Path.Max.Retrans inactive.
func (m *pathManager) failed(now time.Time, p *path) pathChange {
	p.errors++
	ch := pathChange{from: p.state, to: p.state}
	switch {
	case p.errors > m.cfg.PathMaxRetrans && p.state != PathInactive:
		p.state = PathInactive
	case p.state == PathActive && m.cfg.PFThreshold >= 0 && p.errors > m.cfg.PFThreshold:
		p.state = PathPotentiallyFailed
		if !p.hbPending && m.cfg.HeartbeatInterval >= 0 {
			p.hbDue = now.Add(p.rto.rto)
		}
	default:
		return ch
	}
	ch.to = p.state
	ch.primary = m.choose(now)
	return ch
}

// choose picks the destination for new data and reports a change.
func (m *pathManager) choose(now time.Time) bool {
	next := m.bestPath(now)
	if next == nil || next == m.primary {
		return false
	}
	m.primary = next
	return true
}

// bestPath is the current destination for new data: the preferred path if
// it is active and (when returning to it) has been for SwitchbackHold; the
// current one if still active; another active path, the one with the
// lowest smoothed RTT; a potentially failed path with the fewest errors
// (RFC 7829 section 5.1); and if all else failed, the preferred path.
func (m *pathManager) bestPath(now time.Time) *path {
	pref, cur := m.preferred, m.primary
	if pref == nil {
		return cur
	}
	if pref.state == PathActive && (cur == pref || m.chosen || m.switchbackReady(now)) {
		m.chosen = false
		return pref
	}
	if cur != nil && cur.state == PathActive {
		return cur
	}
	var best *path
	for _, p := range m.paths {
		if p.state == PathActive && (best == nil || p.rto.srtt < best.rto.srtt) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	for _, p := range m.paths {
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
func (m *pathManager) switchbackReady(now time.Time) bool {
	hold := m.cfg.SwitchbackHold
	if hold < 0 {
		return m.primary == nil || m.primary.state != PathActive
	}
	due := m.preferred.activeSince.Add(hold)
	if !now.Before(due) {
		m.switchbackDue = time.Time{}
		return true
	}
	m.switchbackDue = due
	return false
}

// prefer makes p the preferred path; the choice applies at once if p is
// active, with no switch-back hold. It reports whether the primary
// changed.
func (m *pathManager) prefer(now time.Time, p *path) bool {
	m.preferred = p
	m.chosen = true
	return m.choose(now)
}

// onProbation reports whether p is the recovered preferred path that data
// has not returned to yet.
func (m *pathManager) onProbation(p *path) bool {
	return p == m.preferred && p != m.primary && p.state == PathActive
}

// rtxPath is where a retransmission of c goes. A chunk that timed out goes
// to an active path other than the one that lost it, when there is one
// (section 6.4); a fast retransmission stays on its path while that path
// is active, and while it is potentially failed only if no path is active
// (RFC 7829 section 5.1: no data to a PF destination while an active one
// exists). Kept on a PF path that no longer works (our address on its
// network went), a fast retransmission waits there for a T3 backed off to
// a minute, and the whole association with it.
func (m *pathManager) rtxPath(c *outChunk) *path {
	if !c.timedOut && c.path != nil && c.path.state == PathActive {
		return c.path
	}
	if p := m.primary; p != c.path && p.state == PathActive {
		return p
	}
	for _, p := range m.paths {
		if p != c.path && p.state == PathActive {
			return p
		}
	}
	if !c.timedOut && c.path != nil && c.path.usable() {
		return c.path
	}
	return m.primary
}

// startHeartbeats schedules the first heartbeat of every path.
func (m *pathManager) startHeartbeats(now time.Time) {
	for _, p := range m.paths {
		m.scheduleHeartbeat(now, p)
	}
}

// scheduleHeartbeat sets when p's next heartbeat is due.
func (m *pathManager) scheduleHeartbeat(now time.Time, p *path) {
	if m.cfg.HeartbeatInterval < 0 {
		p.hbDue = time.Time{}
		return
	}
	if p.state == PathUnconfirmed && !p.hbPending {
		p.hbDue = now // verify new addresses at once
		return
	}
	p.hbDue = now.Add(m.hbPeriod(p))
}

// hbPeriod is the time between heartbeats to p: HB.interval plus RTO,
// jittered by ±50% of RTO, for an active path (RFC 9260 section 8.3); one
// RTO for a path being verified or potentially failed (RFC 7829), and for
// a recovered preferred path waiting for data to return, so that a path
// that flaps is caught before the switch.
func (m *pathManager) hbPeriod(p *path) time.Duration {
	rto := p.rto.rto
	if p.state == PathUnconfirmed || p.state == PathPotentiallyFailed || m.onProbation(p) {
		return rto
	}
	jitter := time.Duration(rand.Int64N(int64(rto)+1)) - rto/2
	return m.cfg.HeartbeatInterval + rto + jitter
}

// pathHeard records that p answered, and tells the application what that
// changed.
func (a *Association) pathHeard(now time.Time, p *path) {
	if !a.addip.holdUntil.IsZero() {
		defer a.resumeAfterOutage() // once p is active
	}
	a.reportPath(p, a.heard(now, p))
}

// pathError counts an error on p; past Association.Max.Retrans, counted
// over confirmed paths, the peer is unreachable (section 8.1).
func (a *Association) pathError(now time.Time, p *path) {
	if p.state != PathUnconfirmed {
		a.errors++
		if a.errors > a.cfg.AssocMaxRetrans && !a.holdForHandover(now) {
			p.errors++ // as failed would: the final statistics show it
			a.abortWith(now, nil, ErrCommunicationLost)
			return
		}
	}
	a.reportPath(p, a.failed(now, p))
}

// reportPath emits the events of a change of p.
func (a *Association) reportPath(p *path, ch pathChange) {
	switch {
	case ch.from == ch.to:
	case ch.from == PathUnconfirmed && ch.to == PathActive:
		a.emit(Event{Type: EventPathConfirmed, Addr: p.remote})
	case ch.to == PathActive:
		a.emit(Event{Type: EventPathUp, Addr: p.remote})
	case ch.to == PathPotentiallyFailed:
		a.emit(Event{Type: EventPathPotentiallyFailed, Addr: p.remote})
	case ch.to == PathInactive && ch.from != PathUnconfirmed:
		a.emit(Event{Type: EventPathDown, Addr: p.remote})
	}
	if ch.primary {
		a.primaryChanged()
	}
}

// primaryChanged counts and reports a new destination for new data.
func (a *Association) primaryChanged() {
	a.stats.PrimaryChanges++
	a.emit(Event{Type: EventPrimaryChanged, Addr: a.primary.remote})
}

// choosePrimary picks the destination for new data and reports a change.
func (a *Association) choosePrimary(now time.Time) {
	if a.choose(now) {
		a.primaryChanged()
	}
}

// setPreferred makes p the preferred path, as the user or the peer (Set
// Primary Address) asked.
func (a *Association) setPreferred(now time.Time, p *path) {
	if a.prefer(now, p) {
		a.primaryChanged()
	}
}

// onSwitchback rechecks the destination when the hold time has passed.
func (a *Association) onSwitchback(now time.Time) {
	a.switchbackDue = time.Time{}
	a.choosePrimary(now)
}
