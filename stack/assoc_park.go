package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// An idle association costs no goroutine (no association does between
// rounds, see assoc_owner.go) and, after idleAfter without a round of
// work, not the buffers it keeps for the next round either: a round that
// finds it idle that long trims them, leaving the timer armed for the
// next deadline (a heartbeat, say). A busy association keeps its buffers
// warm. The timer itself wakes the association at the idle point, so
// that an association nobody talks to is trimmed too.
const idleAfter = time.Second

// trimIfIdle trims the association if it has been idle for idleAfter at
// now; otherwise it moves the idle point to idleAfter after this round.
func (a *Association) trimIfIdle(now time.Time) {
	if a.idleAt.IsZero() || now.Before(a.idleAt) {
		a.idleAt = now.Add(idleAfter)
		return
	}
	a.idleAt = time.Time{}
	a.trim()
}

// armTimer sets the timer to the earliest deadline, or to the idle point
// if that comes first. The timer's goroutine runs the round itself.
//
// The timer only ever moves earlier. Most rounds move the deadlines
// later (each request restarts T3, each answer pushes the delayed SACK
// and the idle point back), and resetting a runtime timer every round
// cost a request-response exchange 4% of its CPU. A timer left at an
// earlier deadline runs one round that finds nothing due and arms the
// timer again, at most once per deadline passed. now is the round's
// start, not a fresh clock read: the timer fires late by as long as the
// round took, a few microseconds.
func (a *Association) armTimer(now time.Time) {
	next := a.nextDeadline()
	if !a.idleAt.IsZero() && (next.IsZero() || a.idleAt.Before(next)) {
		next = a.idleAt
	}
	pending := a.timer != nil && a.timerAt.After(now)
	switch {
	case next.IsZero() || pending && !next.Before(a.timerAt):
		return
	case a.timer == nil:
		a.timer = time.AfterFunc(next.Sub(now), a.poke)
	default:
		a.timer.Reset(next.Sub(now))
	}
	a.timerAt = next
}

func (a *Association) stopTimer() {
	if a.timer != nil {
		a.timer.Stop()
	}
}

// trim gives back what an idle association holds only in case it gets
// busy again; each is made again on first use.
func (a *Association) trim() {
	a.pktScratch, a.cmdScratch = nil, nil
	if len(a.ctrl) == 0 {
		a.ctrl = nil
	}
	a.tally.paths = nil
	a.in.mu.Lock()
	if len(a.in.pkts) == 0 && len(a.in.cmds) == 0 {
		a.in.pkts, a.in.cmds = nil, nil
	}
	a.in.mu.Unlock()
	a.trimSender()
	a.rx.trim()
	a.recvq.trim()
	for _, q := range a.streamQs {
		q.trim()
	}
}

// trimSender drops the sender's buffers that hold nothing: the retransmission
// ring, the message queue, the SACK decoding scratch, and the block
// SendMsg copies into (messages still queued keep theirs alive).
func (a *Association) trimSender() {
	s := &a.tx
	if s.ring.len() == 0 {
		s.ring = chunkRing{}
	}
	if s.queue.len() == 0 {
		s.queue = msgQueue{}
	}
	s.sack = wire.Sack{}
	a.sendq.mu.Lock()
	if len(a.sendq.msgs) == 0 {
		a.sendq.msgs = nil
	}
	a.sendq.arena = arena{}
	a.sendq.mu.Unlock()
}

// trim drops the receiver's empty buffers and the block received
// data is copied into (messages not yet read keep theirs alive).
func (r *receiver) trim() {
	if len(r.ready) == 0 {
		r.ready = nil
	}
	if len(r.afterSack) == 0 {
		r.afterSack = nil
	}
	r.sack = wire.Sack{}
	r.arena = arena{}
	if len(r.tsns.ranges) == 0 && len(r.tsns.dups) == 0 {
		r.tsns.ranges, r.tsns.dups = nil, nil
	}
}
