package enrp

import (
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// takeover is this registrar's takeover of one peer (RFC 5353 section
// 3.9): the peers whose Init Takeover Ack is still missing.
type takeover struct {
	waiting map[wire.ServerID]struct{}
}

// startTakeover sends Init Takeover for target p to every other peer and
// waits TakeoverExpiry for their acknowledgements.
func (m *Machine) startTakeover(p *peer, now time.Time) {
	if p.takeover == nil {
		m.stats.TakeoversStarted++
	}
	t := &takeover{waiting: map[wire.ServerID]struct{}{}}
	p.takeover, p.State, p.deadline = t, TakingOver, now.Add(m.cfg.TakeoverExpiry)
	// The target gets it too: if it is alive after all, it answers with
	// Presences, which stop the takeover everywhere.
	m.sendAll(0, func(to wire.ServerID) wire.ENRPValue {
		if to != p.ID {
			t.waiting[to] = struct{}{}
		}
		return &wire.InitTakeover{ENRPHeader: m.header(to), Target: p.ID}
	})
	if len(t.waiting) == 0 {
		m.finishTakeover(p)
	}
}

// initTakeoverReceived answers from's Init Takeover of target.
func (m *Machine) initTakeoverReceived(from *peer, target wire.ServerID) {
	if target == m.cfg.ID {
		// Alive: Presences to everyone stop the takeover.
		m.heartbeat()
		return
	}
	t := m.peers[target]
	if t != nil && t.takeover != nil {
		if from.ID > m.cfg.ID {
			return // ours goes on: the lower ID wins, and that is us
		}
		t.takeover = nil
		t.State = Probing // its timer keeps the takeover expiry, then forgets it
		m.stats.TakeoversAbandoned++
	}
	if t != nil {
		t.takeoverBy = from.ID
	}
	m.send(from.ID, &wire.InitTakeoverAck{ENRPHeader: m.header(from.ID), Target: target})
}

// takeoverAcked counts from's acknowledgement of this registrar's takeover
// of target, and completes the takeover with the last one.
func (m *Machine) takeoverAcked(from *peer, target wire.ServerID, now time.Time) {
	t := m.peers[target]
	if t == nil || t.takeover == nil {
		m.stats.Ignored++
		return
	}
	delete(t.takeover.waiting, from.ID)
	if len(t.takeover.waiting) == 0 {
		m.finishTakeover(t)
	}
}

// takeoverExpired handles a takeover whose acknowledgements did not all
// arrive in time. A missing one from a peer that is itself silent does
// not count (it may have died with the target). One from a peer that
// talks does: the Init Takeover or its Ack may have been lost with an
// association, so the takeover starts again. (RSPLIB gives up and forgets
// the target, whose elements then stay with a dead owner until they
// expire.) The peer that talks either acknowledges this time, or has a
// lower ID and a takeover of its own, whose Takeover Server ends this
// one.
func (m *Machine) takeoverExpired(p *peer, now time.Time) {
	for id := range p.takeover.waiting {
		if q := m.peers[id]; q != nil && q.State == Alive {
			m.stats.TakeoversRetried++
			m.startTakeover(p, now)
			return
		}
	}
	m.finishTakeover(p)
}

// finishTakeover takes the elements of p and tells the peers.
func (m *Machine) finishTakeover(p *peer) {
	m.stats.TakeoversWon++
	m.sendAll(p.ID, func(to wire.ServerID) wire.ENRPValue {
		return &wire.TakeoverServer{ENRPHeader: m.header(to), Target: p.ID}
	})
	m.acts = append(m.acts, Action{Kind: TakeOver, Owner: m.cfg.ID, Target: p.ID})
	m.forget(p)
}

// takeoverServerReceived moves the elements of target to from, which took
// them over.
func (m *Machine) takeoverServerReceived(from *peer, target wire.ServerID) {
	if target == m.cfg.ID {
		// Taken over while alive (a partition): the peers learn this
		// registrar's elements back from the audit of its next
		// Presence, whose checksum no longer matches their view.
		return
	}
	m.acts = append(m.acts, Action{Kind: TakeOver, Owner: from.ID, Target: target})
	if t := m.peers[target]; t != nil {
		m.forget(t)
	}
}
