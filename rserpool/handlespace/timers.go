package handlespace

import (
	"fmt"
	"time"
)

// TimerKind names one of the deadlines the handlespace keeps per element.
type TimerKind uint8

// The deadlines of a pool element. Register arms Expiry; the keep-alive
// timers are the owner registrar's business (ASAP, RFC 5352) and are armed
// and stopped by it.
const (
	// Expiry is the end of the registration lifetime.
	Expiry TimerKind = iota
	// KeepAlive is when to send the element the next
	// ASAP_ENDPOINT_KEEP_ALIVE.
	KeepAlive
	// KeepAliveTimeout is when to give up waiting for the
	// ASAP_ENDPOINT_KEEP_ALIVE_ACK.
	KeepAliveTimeout

	timerKinds = iota
)

func (k TimerKind) String() string {
	switch k {
	case Expiry:
		return "Expiry"
	case KeepAlive:
		return "KeepAlive"
	case KeepAliveTimeout:
		return "KeepAliveTimeout"
	}
	return fmt.Sprintf("TimerKind(%d)", uint8(k))
}

// Timer is a deadline of one element.
type Timer struct {
	Element *PoolElement
	Kind    TimerKind
	At      time.Time
}

// SetTimer arms (or re-arms) timer k of e for at. It does nothing if e has
// been removed.
func (h *Handlespace) SetTimer(e *PoolElement, k TimerKind, at time.Time) {
	if !e.gone {
		h.timers.set(e, k, at)
	}
}

// StopTimer disarms timer k of e, if armed.
func (h *Handlespace) StopTimer(e *PoolElement, k TimerKind) { h.timers.stop(e, k) }

// Deadline returns when timer k of e fires, if it is armed.
func (h *Handlespace) Deadline(e *PoolElement, k TimerKind) (time.Time, bool) {
	return h.timers.deadline(e, k)
}

// NextDeadline returns the earliest armed timer, for the registrar to set
// its one clock timer to.
func (h *Handlespace) NextDeadline() (Timer, bool) {
	if len(h.timers) == 0 {
		return Timer{}, false
	}
	return h.timers[0], true
}

// PopDue disarms and returns the earliest timer due at now (at or before
// it), if any. A registrar calls it until it reports false, removing the
// elements whose Expiry or KeepAliveTimeout fired. Timers due at the same
// instant come in no particular order.
func (h *Handlespace) PopDue(now time.Time) (Timer, bool) {
	if len(h.timers) == 0 || h.timers[0].At.After(now) {
		return Timer{}, false
	}
	t := h.timers[0]
	h.timers.removeAt(0)
	return t, true
}
