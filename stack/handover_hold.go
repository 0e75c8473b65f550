package stack

import "time"

// The handover hold: with every path down, the error limits wait for a
// new path (the peer's ASCONF, or our own move) for Config.HandoverHold
// instead of aborting the association.

// holdForHandover decides, when the error limits are reached, whether the
// association waits instead of aborting: while no path is active, for
// HandoverHold from the first time the limits were reached. A path that
// answers ends the hold (pathHeard); onHoldExpired aborts if none did.
func (a *Association) holdForHandover(now time.Time) bool {
	if a.cfg.HandoverHold <= 0 || a.anyActive() {
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
