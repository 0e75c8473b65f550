package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// chunkCost is charged against SendBuffer for every message on top of its
// bytes, so a flood of tiny messages cannot hold unbounded bookkeeping.
const chunkCost = 64

// outMsg is a message accepted by SendMsg.
type outMsg struct {
	data     []byte
	blk      *slab // holds data; the message's last chunk takes it over
	info     SendInfo
	deadline time.Time // PR-SCTP lifetime end; zero means reliable
	layout   payloadLayout
}

// outStream is the sequencing state of one outbound stream.
type outStream struct {
	nextSSN  uint16 // ordered DATA
	nextMID  uint32 // ordered I-DATA
	nextUMID uint32 // unordered I-DATA
}

// sender is the data-sending half of the association.
type sender struct {
	nextTSN        uint32 // next TSN to assign
	cumAck         uint32 // peer's cumulative TSN ack
	ring           chunkRing
	queue          msgQueue // accepted messages not fully chunked
	queued         int      // bytes of queue not yet chunked
	frag           fragState
	streams        []outStream
	peerRwnd       int
	outstanding    int    // bytes in flight over all paths
	outChunks      int    // chunks in flight over all paths
	marked         int    // chunks marked for retransmission
	gapAcked       int    // chunks acknowledged by gap blocks only
	gapHigh        uint32 // the highest TSN ever gap-acknowledged
	advPeerAck     uint32
	sendFwd        bool // a FORWARD-TSN is due
	fastRtxPending bool // a fast retransmission may ignore cwnd once
	nagleDue       time.Time
	nagleOver      bool      // Nagle held data past nagleDue: send it now
	probeDue       time.Time // zero-window probe deadline
	released       int       // buffer bytes to hand back to sendq
	sack           wire.Sack
	epoch          time.Time // when init ran: outChunk.lifeEnd counts from here
	idata          bool
	prsctp         bool
}

// fragState is the progress of cutting the queue head into chunks.
type fragState struct {
	off     int
	started bool
	mid     uint32
	fsn     uint32
}

func (s *sender) init(now time.Time, initialTSN uint32, streams uint16, peerRwnd int, idata, prsctp bool) {
	s.epoch = now
	s.nextTSN = initialTSN
	s.cumAck = initialTSN - 1
	s.advPeerAck = s.cumAck
	s.streams = make([]outStream, streams)
	s.peerRwnd = peerRwnd
	s.idata, s.prsctp = idata, prsctp
}

// mayProbe applies rule A of section 6.1 when the peer's window is
// closed: with nothing outstanding, a single chunk may go out as a window
// probe, one RTO after the window closed; its retransmissions then follow
// T3 with backoff.
func (a *Association) mayProbe(now time.Time, p *path) bool {
	s := &a.tx
	if s.outstanding > 0 {
		s.probeDue = time.Time{}
		return false
	}
	if s.probeDue.IsZero() {
		s.probeDue = now.Add(p.rto.rto)
		return false
	}
	if now.Before(s.probeDue) {
		return false
	}
	s.probeDue = time.Time{}
	a.stats.WindowProbes++
	return true
}

// dataType is the chunk type carrying user data: DATA or I-DATA.
func (s *sender) dataType() wire.ChunkType {
	if s.idata {
		return wire.TypeIData
	}
	return wire.TypeData
}

// dataHeaderLen is the chunk header size of DATA or I-DATA.
func (s *sender) dataHeaderLen() int {
	if s.idata {
		return wire.IDataHeaderLen
	}
	return wire.DataHeaderLen
}

// setState moves c to st, keeping the counts of marked and gap-acked
// chunks that spare the SACK path from scanning the whole window.
func (s *sender) setState(c *outChunk, st chunkState) {
	switch c.state {
	case chunkMarked:
		s.marked--
	case chunkGapAcked:
		s.gapAcked--
	}
	switch st {
	case chunkMarked:
		s.marked++
	case chunkGapAcked:
		s.gapAcked++
		if serial.Less32(s.gapHigh, c.tsn) {
			s.gapHigh = c.tsn
		}
	}
	c.state = st
}

// takeUserData moves the messages SendMsg queued into the loop.
func (a *Association) takeUserData(now time.Time) {
	q := &a.sendq
	q.mu.Lock()
	if len(q.msgs) > 0 {
		for _, m := range q.msgs {
			a.tx.queued += len(m.data)
		}
		a.tx.queue.take(&q.msgs)
	}
	q.room = a.tx.dataHeaderLen()
	grown := a.growSendBuffer(q)
	if a.tx.released > 0 || grown {
		q.bytes -= a.tx.released
		a.tx.released = 0
		if grown || q.roomy() {
			q.space.broadcast()
		}
	}
	q.mu.Unlock()
	a.stats.MessagesQueued = uint64(a.tx.queue.len())
}

// growSendBuffer raises the limit of q, whose lock the caller holds, to
// twice the primary path's congestion window, at most SendBufferMax, as
// Linux grows a TCP socket's send buffer with its window
// (tcp_sndbuf_expand). The buffer holds what is in flight besides what
// waits: at SendBuffer alone, a window as large as the buffer leaves the
// application no room to queue the next messages while a window's worth
// waits for its SACKs: perf at 8000 bytes on loopback, where the peer's
// window is also 4 MiB, had the application blocked on the buffer while
// the association sent nothing at every other SACK batch. The window
// grows only as far as the path and the receiver carried its flight, so a
// slow path or peer keeps SendBuffer.
// It never shrinks: what an application may queue does not jump back
// after a loss.
func (a *Association) growSendBuffer(q *sendQueue) bool {
	if a.primary == nil {
		return false
	}
	want := min(2*a.primary.cc.Window(), a.cfg.SendBufferMax)
	if want <= q.limit {
		return false
	}
	q.limit = want
	return true
}

// hasQueued reports whether messages wait to be chunked.
func (s *sender) hasQueued() bool { return s.queue.len() > 0 }

// queuedWire is about the room the queued messages take in packets: their
// bytes, and a DATA chunk header and its padding each. Tiny messages take
// more room in headers than in data.
func (s *sender) queuedWire() int {
	return s.queued + s.queue.len()*(s.dataHeaderLen()+3)
}

// cutChunk takes the next fragment of at most maxPayload bytes from the
// queue into the ring, assigning TSN and stream sequence, and returns it,
// or nil if none may go now. Messages whose lifetime ran out before any
// fragment was sent are dropped here (RFC 3758: never sent).
func (a *Association) cutChunk(now time.Time, maxPayload int) *outChunk {
	s := &a.tx
	for s.hasQueued() {
		m := s.queue.front()
		if !s.frag.started && !m.deadline.IsZero() && now.After(m.deadline) {
			a.dropQueued(m)
			continue
		}
		if !s.frag.started && a.reconf.holds(m.info.Stream) {
			return nil // its new numbering starts with the peer's answer
		}
		return a.nextFragment(m, maxPayload)
	}
	return nil
}

// nextFragment cuts one fragment from m, the queue head, into the ring's
// next slot. It fills the slot in place: an outChunk is 80 bytes, and
// copying one per chunk on its way into the ring cost more than the rest
// of this function.
func (a *Association) nextFragment(m *outMsg, maxPayload int) *outChunk {
	s := &a.tx
	// The chunk takes mid and fsn from registers, not from s.frag just
	// written: one load of both (the compiler merges them) could not
	// take them from the separate stores that wrote them and waited for
	// every older store to reach the cache, the ring slot's included
	// (three quarters of this function's samples at 1000-byte messages).
	var mid, fsn uint32
	if s.frag.started {
		mid, fsn = s.frag.mid, s.frag.fsn
	} else {
		mid = s.startMessage(m)
	}
	n := min(len(m.data)-s.frag.off, maxPayload)
	c := s.ring.push(s.nextTSN)
	c.data = m.data[s.frag.off : s.frag.off+n]
	if !m.deadline.IsZero() {
		c.lifeEnd, c.timed = m.deadline.Sub(s.epoch), true
	}
	c.ppid, c.mid, c.fsn, c.tsn, c.sid = m.info.PPID, mid, fsn, s.nextTSN, m.info.Stream
	if s.frag.off == 0 {
		c.flags |= wire.FlagBegin
		if n == len(m.data) {
			c.crc, c.form = m.layout.crc, m.layout.form // the chunk carries the message whole
			if c.form == payloadFramed && int(m.layout.room) != s.dataHeaderLen() {
				c.form = payloadCopied // framed before a peer's restart changed the header: copy it
			}
		}
	}
	if m.info.Unordered {
		c.flags |= wire.FlagUnordered
	}
	s.nextTSN++
	s.frag.off += n
	s.frag.fsn++
	s.queued -= n
	if s.frag.off == len(m.data) {
		c.flags |= wire.FlagEnd
		// The last chunk holds the message's data for all its chunks: it
		// leaves the ring after them, acknowledged or abandoned with them.
		c.blk, m.blk = m.blk, nil
		s.popQueue()
	}
	return c
}

// startMessage starts cutting m, the queue head, into chunks, and returns
// the number it takes in its stream: the SSN of ordered DATA, the MID of
// I-DATA.
func (s *sender) startMessage(m *outMsg) uint32 {
	st := &s.streams[m.info.Stream]
	var mid uint32
	switch {
	case s.idata && m.info.Unordered:
		mid = st.nextUMID
		st.nextUMID++
	case s.idata:
		mid = st.nextMID
		st.nextMID++
	case !m.info.Unordered:
		mid = uint32(st.nextSSN)
		st.nextSSN++
	}
	s.frag = fragState{started: true, mid: mid}
	return mid
}

func (s *sender) popQueue() {
	s.queue.front().blk.release(1)
	s.queue.pop()
	s.frag = fragState{}
}

// dropQueued abandons the unsent queue head (or its unsent rest).
func (a *Association) dropQueued(m *outMsg) {
	s := &a.tx
	rest := len(m.data) - s.frag.off
	s.queued -= rest
	s.released += rest + chunkCost
	a.stats.MessagesAbandoned++
	a.emit(Event{Type: EventSendFailed, Stream: m.info.Stream, PPID: m.info.PPID, Err: ErrLifetimeExpired})
	s.popQueue()
}

// abandon gives up on the message that chunk c belongs to (PR-SCTP): every
// fragment held in the ring and the unsent rest in the queue. The
// FORWARD-TSN that tells the peer is sent by the next flush.
func (a *Association) abandon(c *outChunk) {
	s := &a.tx
	first := c.tsn
	for {
		p := s.ring.at(first - 1)
		if p == nil || c.flags.Has(wire.FlagBegin) || p.flags.Has(wire.FlagEnd) {
			break
		}
		first--
		c = p
	}
	tsn := first
	for p := s.ring.at(tsn); p != nil; p = s.ring.at(tsn) {
		a.abandonChunk(p)
		tsn++
		if p.flags.Has(wire.FlagEnd) {
			return
		}
	}
	// The message's end was never cut: drop the rest from the queue.
	if s.frag.started {
		a.dropQueued(s.queue.front())
	}
}

func (a *Association) abandonChunk(c *outChunk) {
	if c.state == chunkAbandoned {
		return
	}
	a.removeFromFlight(c)
	a.tx.setState(c, chunkAbandoned)
	a.tx.released += len(c.data)
	if c.flags.Has(wire.FlagEnd) {
		a.tx.released += chunkCost
		a.stats.MessagesAbandoned++
		a.emit(Event{Type: EventSendFailed, Stream: c.sid, PPID: c.ppid, Err: ErrLifetimeExpired})
	}
	c.data = nil
	releaseSlab(&c.blk)
	a.tx.sendFwd = true
}

// removeFromFlight takes c out of its path's flight size. It is called
// for every chunk that stops being outstanding without an ack (marked for
// retransmission or abandoned), so it also cancels an RTT measurement.
func (a *Association) removeFromFlight(c *outChunk) {
	if p := c.path; p != nil && p.rttPending && p.rttTSN == c.tsn {
		p.rttPending = false
	}
	if !c.inFlight {
		return
	}
	c.inFlight = false
	c.path.flight -= len(c.data)
	a.tx.outstanding -= len(c.data)
	a.tx.outChunks--
}

// peerCost is what a chunk of n bytes takes of the peer's window: its
// payload and the overhead a receiver charges for holding a chunk, as
// ours does (rxCost) and Linux (the skb) and usrsctp (sctp_peer_chunk_oh,
// which its sender debits too) do. Counting the payload alone, a sender
// of tiny messages overran the window it was given: a receiver whose
// application read 1-byte messages slower than they came dropped a
// tenth of the chunks, which went again after fast retransmissions that
// halved the window each time.
func peerCost(n int) int { return rxCost(n) }

// inFlightCost is the window the chunks in flight take at the peer.
func (s *sender) inFlightCost() int { return s.outstanding + s.outChunks*rxChunkOverhead }

// expired reports whether the PR-SCTP lifetime of c is over.
func (s *sender) expired(c *outChunk, now time.Time) bool {
	return c.timed && now.Sub(s.epoch) > c.lifeEnd
}

// advancePeerAck moves the advanced peer ack point over abandoned chunks
// (RFC 3758 section 3.5, C1 and C2) and reports whether a FORWARD-TSN is
// needed.
func (a *Association) advancePeerAck() bool {
	s := &a.tx
	if serial.Less32(s.advPeerAck, s.cumAck) {
		s.advPeerAck = s.cumAck
	}
	for c := s.ring.at(s.advPeerAck + 1); c != nil && c.state == chunkAbandoned; c = s.ring.at(s.advPeerAck + 1) {
		s.advPeerAck++
	}
	return serial.Less32(s.cumAck, s.advPeerAck)
}
