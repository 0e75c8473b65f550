package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/internal/congestion"
	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// ackTally collects what one SACK acknowledged on each path.
type ackTally struct {
	paths []pathAck
	htna  uint32 // highest TSN newly acknowledged
	any   bool
}

type pathAck struct {
	p           *path
	bytes       int
	heard       bool // a chunk acknowledged here had not timed out on p (see ackChunk)
	flightAtAck int  // flight before this SACK: was cwnd in full use?
	cumFront    bool // the cumulative ack covered chunks sent here
}

func (t *ackTally) of(p *path) *pathAck {
	for i := range t.paths {
		if t.paths[i].p == p {
			return &t.paths[i]
		}
	}
	t.paths = append(t.paths, pathAck{p: p, flightAtAck: p.flight})
	return &t.paths[len(t.paths)-1]
}

// handleSack processes a SACK (RFC 9260 sections 6.2.1, 7.2 and 6.3.2).
func (a *Association) handleSack(now time.Time, c wire.Chunk) bool {
	if err := a.tx.sack.Decode(c); err != nil {
		a.badChunk(c)
		return false
	}
	return a.processSack(now, &a.tx.sack)
}

// processSack applies a decoded SACK.
func (a *Association) processSack(now time.Time, sk *wire.Sack) bool {
	s := &a.tx
	if serial.Less32(sk.CumTSN, s.cumAck) {
		return true // older than one already processed
	}
	if !serial.Less32(sk.CumTSN, s.nextTSN) {
		a.abortWith(now, &wire.ProtocolViolationCause{Info: []byte("SACK acknowledges a TSN never sent")}, errProtocolViolation)
		return false
	}
	t := &a.tally
	t.paths, t.htna, t.any = t.paths[:0], 0, false
	cumAdvanced := sk.CumTSN != s.cumAck
	var rel slabReleases
	for s.cumAck != sk.CumTSN {
		ch := s.ring.at(s.cumAck + 1)
		if ch.state != chunkGapAcked && ch.state != chunkAbandoned {
			a.ackChunk(now, ch, t)
		}
		if ch.path != nil && ch.state != chunkAbandoned {
			t.of(ch.path).cumFront = true
		}
		a.releaseChunk(ch)
		s.setState(ch, chunkAbandoned) // leaves the counts as it leaves the ring
		s.ring.popFront(&rel)
		s.cumAck++
	}
	rel.flush()
	a.applyGaps(now, sk, t)
	s.peerRwnd = int(sk.ARwnd) - s.inFlightCost()
	if s.peerRwnd > 0 {
		// The window is open: no zero window probe is due. A deadline
		// left from when it was closed would make the timer fire at once
		// in every round, for ever if nothing is queued or sent.
		s.probeDue = time.Time{}
	}
	a.stats.SacksReceived++
	for i := range t.paths {
		a.adjustPath(now, &t.paths[i], cumAdvanced)
	}
	if t.any || sk.ARwnd == 0 {
		// A SACK that closes the window still proves the peer alive: its
		// unanswered window probes are no errors (section 6.1 A).
		a.errors = 0
		if sk.ARwnd == 0 {
			for _, p := range a.paths {
				if p.state == PathActive {
					p.errors = 0
				}
			}
		}
	}
	a.countMisses(sk, t, cumAdvanced)
	if s.prsctp && a.advancePeerAck() {
		s.sendFwd = true
	}
	a.checkShutdownProgress(now)
	return true
}

// ackChunk accounts a chunk newly acknowledged by cum ack or gap block.
func (a *Association) ackChunk(now time.Time, c *outChunk, t *ackTally) {
	pa := t.of(c.path)
	pa.bytes += len(c.data)
	// A chunk that T3 already took for lost on its path may have arrived
	// long before, its SACK lost on the way back: like an RTT sample after
	// a retransmission (Karn), its acknowledgement says nothing of the path
	// now, and the path stays failed until a heartbeat answers.
	pa.heard = pa.heard || !c.timedOut
	if p := c.path; p.rttPending && p.rttTSN == c.tsn {
		p.rttPending = false
		p.rto.sample(now.Sub(p.rttSent))
	}
	a.removeFromFlight(c)
	if !t.any || serial.Less32(t.htna, c.tsn) {
		t.htna = c.tsn
	}
	t.any = true
}

// releaseChunk returns a cumulatively acknowledged chunk's buffer space.
func (a *Association) releaseChunk(c *outChunk) {
	if c.state == chunkAbandoned {
		return
	}
	a.tx.released += len(c.data)
	if c.flags.Has(wire.FlagEnd) {
		a.tx.released += chunkCost
		a.stats.MessagesSent++
	}
}

// applyGaps marks the chunks the gap blocks acknowledge, and treats chunks
// that an earlier SACK gap-acknowledged but this one does not as reneged.
func (a *Association) applyGaps(now time.Time, sk *wire.Sack, t *ackTally) {
	s := &a.tx
	tsn := s.cumAck + 1
	for _, g := range sk.Gaps {
		if g.Start == 0 || g.End < g.Start {
			continue // malformed block: ignore it
		}
		start, end := s.cumAck+uint32(g.Start), s.cumAck+uint32(g.End)
		if serial.Less32(start, tsn) || !serial.Less32(end, s.nextTSN) {
			continue // overlapping, out of order or beyond what was sent
		}
		a.renege(now, tsn, start)
		for tsn = start; tsn != end+1; tsn++ {
			c := s.ring.at(tsn)
			if c.state == chunkOutstanding || c.state == chunkMarked {
				a.ackChunk(now, c, t)
				s.setState(c, chunkGapAcked)
			}
		}
	}
	a.renege(now, tsn, s.nextTSN)
}

// renege handles chunks in [from, to) that were gap-acknowledged before:
// the peer dropped them, so they count as outstanding again and T3 runs
// (section 6.3.2 R4).
func (a *Association) renege(now time.Time, from, to uint32) {
	s := &a.tx
	if s.gapAcked == 0 || serial.Less32(s.gapHigh, from) {
		return // nothing gap-acknowledged there: no scan
	}
	if serial.Less32(s.gapHigh, to) {
		to = s.gapHigh + 1
	}
	for tsn := from; tsn != to; tsn++ {
		c := s.ring.at(tsn)
		if c == nil {
			return
		}
		if c.state != chunkGapAcked {
			continue
		}
		s.setState(c, chunkMarked)
		if c.path.t3.IsZero() {
			c.path.t3 = now.Add(c.path.rto.rto)
		}
	}
}

// adjustPath applies one SACK's effect on a path: RTT sample, error
// counter, congestion window and T3-rtx timer.
func (a *Association) adjustPath(now time.Time, pa *pathAck, cumAdvanced bool) {
	p := pa.p
	if pa.heard {
		a.pathHeard(now, p)
	}
	p.cc.OnAck(congestion.Ack{
		CumTSN: a.tx.cumAck, CumAdvanced: cumAdvanced, Bytes: pa.bytes,
		FlightBefore: pa.flightAtAck, FlightAfter: p.flight, MTU: p.mtu,
	})
	switch {
	case p.flight == 0:
		p.t3 = time.Time{} // R2: everything sent here is acknowledged
	case pa.cumFront:
		p.t3 = now.Add(p.rto.rto) // R3: the earliest outstanding chunk was acked
	}
}

// countMisses adds miss indications for outstanding chunks below the
// highest TSN newly acknowledged (HTNA, section 7.2.4) and starts fast
// retransmission for those that reach three.
func (a *Association) countMisses(sk *wire.Sack, t *ackTally, cumAdvanced bool) {
	s := &a.tx
	if len(sk.Gaps) == 0 || s.ring.len() == 0 {
		return
	}
	limit := t.htna
	highestGap := s.cumAck + uint32(sk.Gaps[len(sk.Gaps)-1].End)
	inFR := false
	for _, p := range a.paths {
		inFR = inFR || p.cc.InRecovery()
	}
	if inFR && cumAdvanced && serial.Less32(limit, highestGap) {
		limit = highestGap
	}
	if !t.any {
		return
	}
	threshold := a.missThreshold()
	for tsn := s.cumAck + 1; serial.Less32(tsn, limit); tsn++ {
		c := s.ring.at(tsn)
		if c == nil {
			break
		}
		if c.state != chunkOutstanding || c.fastRtx {
			continue
		}
		c.misses++
		if int(c.misses) >= threshold {
			a.fastRetransmit(c)
		}
	}
}

// missThreshold is the number of miss indications that trigger fast
// retransmission: three (section 7.2.4), or fewer with Early Retransmit
// (RFC 5827 section 3.2) when so few chunks are outstanding that three
// reports could never arrive and no new data can be sent to elicit them.
func (a *Association) missThreshold() int {
	s := &a.tx
	if s.ring.len() >= 4 || (s.hasQueued() && a.primary.flight < a.primary.cc.Window()) {
		return 3
	}
	outstanding := 0
	for tsn := s.cumAck + 1; tsn != s.nextTSN; tsn++ {
		if st := s.ring.at(tsn).state; st == chunkOutstanding || st == chunkMarked {
			outstanding++
		}
	}
	return max(min(outstanding-1, 3), 1)
}

// fastRetransmit marks c and, once per loss event, cuts its path's window
// (section 7.2.4 steps 1 and 2).
func (a *Association) fastRetransmit(c *outChunk) {
	s := &a.tx
	c.fastRtx = true
	s.setState(c, chunkMarked)
	a.removeFromFlight(c)
	s.fastRtxPending = true
	if c.path.cc.OnFastRetransmit(c.path.mtu, s.nextTSN-1) {
		a.stats.FastRetransmits++
	}
}

// onT3 handles a retransmission timeout on path p (sections 6.3.3 and
// 7.2.3): back off, collapse the window, mark everything outstanding on p
// for retransmission and count the error.
func (a *Association) onT3(now time.Time, p *path) {
	s := &a.tx
	p.t3 = time.Time{}
	a.pmtuBlackHole(now, p)
	p.cc.OnTimeout(p.mtu)
	p.rto.backoff()
	marked := 0
	for tsn := s.cumAck + 1; tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c.path != p || c.state != chunkOutstanding {
			continue
		}
		a.removeFromFlight(c)
		if s.prsctp && s.expired(c, now) {
			a.abandon(c)
			continue
		}
		s.setState(c, chunkMarked)
		c.misses = 0
		c.timedOut = true
		marked++
	}
	a.stats.T3Expirations++
	p.stats.T3Expirations++
	if s.prsctp && a.advancePeerAck() {
		s.sendFwd = true
	}
	if marked > 0 || s.sendFwd {
		a.pathError(now, p)
	}
}
