package stack

import (
	"math"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// receiver is the data-receiving half of the association.
type receiver struct {
	tsns       tsnMap
	reasm      *reassembler
	ready      []Message // delivered by reassembly, not yet queued
	sack       wire.Sack
	sackPath   *path      // where the last DATA came from: SACKs go there
	sackLocal  netip.Addr // and the address it arrived on: they leave from it
	afterSack  [][]byte   // control chunks that must follow the next SACK
	ackPending bool       // DATA received since the last SACK
	sackNow    bool       // send a SACK in this flush
	sackDue    time.Time  // delayed SACK deadline
	dataPkts   int        // packets with DATA since the last SACK
	// queuedMax bounds the bytes of the receive queues from above: their
	// count when it was last taken under their locks, plus what the loop
	// queued since (readers only take away). A chunk that fits beside it
	// fits, without locking the queues the application reads from.
	queuedMax int
	// view is the window the peer believes it has: the last one
	// advertised, less what arrived since. It is what decides whether
	// reads make a window update worth sending (windowUpdate).
	view  int
	watch windowWatch // when reads may have made a window update due
	// arena holds the received payloads copied out of their packets'
	// buffers (those not kept there: Association.pins).
	arena    arena
	data     wire.Data
	idata    wire.IData
	useIData bool
}

// init sets the receiver up with a receive buffer of buf bytes (the
// a_rwnd our INIT or INIT ACK offered).
func (r *receiver) init(peerInitialTSN uint32, inStreams uint16, idata bool, buf int) {
	r.tsns = newTSNMap(peerInitialTSN)
	r.watch.init()
	r.view = buf
	r.useIData = idata
	r.reasm = newReassembler(inStreams, idata, &r.arena, &r.ready)
}

// dropReceived ends the receiver, as the association ends or before the
// peer's restart replaces it: the messages completed so far are queued,
// where they can still be read, and what reassembly holds for the others
// is released.
func (a *Association) dropReceived() {
	a.deliverReady()
	if a.rx.reasm != nil {
		a.rx.reasm.drop()
	}
}

// handleData processes a DATA or I-DATA chunk (RFC 9260 section 6.2). It
// returns false if the packet must not be processed further. key says
// which shared key, if any, authenticated the chunk.
func (a *Association) handleData(now time.Time, rp *rxPacket, from *path, c wire.Chunk, key keyTag) bool {
	r := &a.rx
	var f frag
	if !a.decodeData(c, &f) {
		return false
	}
	if len(f.data) == 0 {
		// Section 6.2: a DATA chunk without user data aborts.
		a.abortWith(now, &wire.NoUserDataCause{TSN: f.tsn}, errNoUserData)
		return false
	}
	if f.tsn-r.tsns.cum > 1<<30 && !r.tsns.has(f.tsn) {
		// Far beyond anything the window allows: a broken or hostile peer.
		a.stats.DataDropped++
		return true
	}
	if !a.roomFor(len(f.data)) && !r.fillsHole(f.tsn) {
		// No room: drop chunks beyond the highest received and say so at
		// once (section 6.2).
		a.stats.DataDropped++
		r.sackNow, r.sackPath, r.sackLocal = true, from, rp.local.Addr()
		return true
	}
	if !r.tsns.add(f.tsn) {
		a.stats.DuplicateTSNs++
		r.sackNow = true // report duplicates at once (section 6.2)
		r.sackPath, r.sackLocal = from, rp.local.Addr()
		return true
	}
	r.ackPending, r.sackPath, r.sackLocal = true, from, rp.local.Addr()
	if f.flags.Has(wire.FlagImmediate) || r.tsns.hasGaps() {
		r.sackNow = true // section 6.7: SACK at once when gaps exist
	}
	if int(f.sid) >= len(r.reasm.streams) {
		// Section 6.5: acknowledge the TSN but report and drop the chunk.
		// The ERROR follows the SACK that acknowledges the TSN.
		r.afterSack = append(r.afterSack, errorChunk(&wire.InvalidStreamCause{Stream: f.sid}))
		r.sackNow = true
		return true
	}
	if a.hold(rp, &f) {
		a.stats.ChunksKept++
	}
	f.key = key
	r.view = max(r.view-rxCost(len(f.data)), 0)
	a.stats.BytesReceivedUser += uint64(len(f.data))
	r.reasm.add(&f)
	return true
}

// hold makes f's data last until it is read: kept in the packet's buffer
// where the transport lent it and the association may hold one more
// (pins), which it reports, or else copied into the arena.
func (a *Association) hold(rp *rxPacket, f *frag) bool {
	if buf := rp.buf.kept; buf != nil {
		if f.blk = a.pins.keep(buf); f.blk != nil {
			n := len(f.data)
			f.data = f.data[:n:n] // an append must not reach the next chunk
			return true
		}
	}
	f.data, f.blk, f.off = a.rx.arena.copyAt(f.data)
	return false
}

// decodeData decodes a DATA or I-DATA chunk, whichever was negotiated,
// into f, which is zero.
func (a *Association) decodeData(c wire.Chunk, f *frag) bool {
	r := &a.rx
	if c.Type() == wire.TypeIData {
		if !r.useIData || r.idata.Decode(c) != nil {
			a.badChunk(c)
			return false
		}
		d := &r.idata
		f.tsn, f.sid, f.mid, f.flags, f.data = d.TSN, d.Stream, d.MID, d.Flags, d.Payload
		if d.Flags.Has(wire.FlagBegin) {
			f.ppid = d.PPID
		} else {
			f.fsn = d.FSN
		}
		return true
	}
	if r.useIData || r.data.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	d := &r.data
	f.tsn, f.sid, f.mid, f.ppid, f.flags, f.data = d.TSN, d.Stream, uint32(d.SSN), d.PPID, d.Flags, d.Payload
	return true
}

// fillsHole reports whether tsn lies below the highest TSN received, so
// accepting it helps the window drain even when the buffer is full.
func (r *receiver) fillsHole(tsn uint32) bool {
	h := r.tsns.highest()
	return tsn-r.tsns.cum-1 < h-r.tsns.cum
}

// afterDataPacket applies the delayed-SACK rule once per packet that
// carried DATA: every second packet is acknowledged at once, otherwise
// within SACKDelay (section 6.2).
func (a *Association) afterDataPacket(now time.Time) {
	r := &a.rx
	r.dataPkts++
	if r.dataPkts >= a.cfg.SACKFrequency {
		r.sackNow = true
	} else if r.sackDue.IsZero() {
		r.sackDue = now.Add(a.cfg.SACKDelay)
	}
}

// receiveWindow is the space left in the receive buffer, counting each
// chunk or message held with its overhead, as Linux counts the buffer
// space of each skb: a peer that sends one-byte chunks fills it long
// before it fills the memory it stands for. It sets queuedMax to the
// count.
func (a *Association) receiveWindow() int {
	queued := 0
	a.eachQueue(func(q *recvQueue) { queued += q.bytes })
	a.rx.queuedMax = queued
	return max(a.cfg.RecvBuffer-queued-a.rx.reasm.held, 0)
}

// roomFor reports whether the receive buffer takes a chunk of n bytes:
// while any window is left, as Linux does (a chunk may overshoot it once;
// a sender that respects the window then sees it closed). Dropping a chunk
// that does not quite fit made a sender whose flight was empty send it
// again at every SACK (RFC 9260 section 6.1 A lets it have one chunk in
// flight whatever the window), each time taken for lost: the window
// ping-ponged at a few hundred bytes and the congestion window collapsed.
// It counts the queues under their locks only when the bound kept since
// the last count says no: a packet's chunks, and the SACK at its end,
// would otherwise take each queue's lock once per chunk, against the
// reader.
func (a *Association) roomFor(n int) bool {
	if a.cfg.RecvBuffer-a.rx.queuedMax-a.rx.reasm.held >= rxCost(n) {
		return true
	}
	return a.receiveWindow() > 0
}

// queueFor returns the receive queue for a message: its stream's, a new
// stream's for AcceptStream, or RecvMsg's.
func (a *Association) queueFor(m *Message) *recvQueue {
	if q := a.streamQs[m.Stream]; q != nil {
		return q
	}
	if a.accepting.on {
		return a.acceptedStream(m.Stream, m.PPID)
	}
	return &a.recvq
}

// eachQueue calls f on every receive queue with its lock held.
func (a *Association) eachQueue(f func(q *recvQueue)) {
	locked := func(q *recvQueue) {
		q.mu.Lock()
		f(q)
		q.mu.Unlock()
	}
	locked(&a.recvq)
	for _, q := range a.streamQs {
		locked(q)
	}
}

// fillSack fills s with the current acknowledgement state and the
// window the receive buffer has room for, before the endpoint's share
// caps it. It returns the watch's count of bytes read as of that window
// (see advertised).
func (a *Association) fillSack(s *wire.Sack) (readAt int64) {
	r := &a.rx
	// Gap blocks beyond what one packet holds are left for later SACKs.
	maxGaps := max((a.primary.mtu-wire.CommonHeaderLen-16-4*len(r.tsns.dups))/4, 1)
	r.tsns.fillSack(s, maxGaps)
	readAt = r.watch.read.Load() // before the count
	s.ARwnd = uint32(a.receiveWindow())
	return readAt
}

// advertised records that a SACK offered the peer a window of w bytes,
// counted when the readers had read readAt.
func (a *Association) advertised(w int, readAt int64) {
	r := &a.rx
	r.view = w
	if a.updateWanted(w) {
		r.watch.dueAt.Store(readAt + int64(a.updateAt(w)-w))
	} else {
		r.watch.dueAt.Store(math.MaxInt64)
	}
}

// sackSent resets the acknowledgement triggers.
func (r *receiver) sackSent(time.Time) {
	r.ackPending, r.sackNow = false, false
	r.sackDue = time.Time{}
	r.dataPkts = 0
}

// deliverReady moves messages completed during this loop iteration to the
// receive queue with one lock and one wake-up.
func (a *Association) deliverReady() {
	r := &a.rx
	if len(r.ready) == 0 {
		return
	}
	if len(a.streamQs) == 0 && !a.accepting.on {
		a.recvq.pushAll(r.ready)
	} else {
		for i := range r.ready {
			a.queueFor(&r.ready[i]).pushAll(r.ready[i : i+1])
		}
	}
	for i := range r.ready {
		r.queuedMax += rxCost(len(r.ready[i].Data))
	}
	a.stats.MessagesReceived += uint64(len(r.ready))
	clear(r.ready)
	r.ready = r.ready[:0]
}

// handleForwardTSN processes FORWARD-TSN and I-FORWARD-TSN (RFC 3758
// section 3.6, RFC 8260 section 3.3).
func (a *Association) handleForwardTSN(c wire.Chunk) bool {
	r := &a.rx
	if c.Type() == wire.TypeIForwardTSN {
		var f wire.IForwardTSN
		if !r.useIData || f.Decode(c) != nil {
			a.badChunk(c)
			return false
		}
		r.tsns.forward(f.NewCumTSN)
		r.reasm.iForwardTSN(f.Streams)
	} else {
		var f wire.ForwardTSN
		if r.useIData || f.Decode(c) != nil {
			a.badChunk(c)
			return false
		}
		r.tsns.forward(f.NewCumTSN)
		r.reasm.forwardTSN(f.NewCumTSN, f.Streams)
	}
	r.ackPending, r.sackNow = true, true
	return true
}

// windowUpdate sends a SACK when the application has read enough to open
// the window far beyond what the peer believes it has (RFC 9260 section
// 6.2 allows SACKs for no other purpose than this), as Linux's TCP does
// (tcp_cleanup_rbuf): once that window is at most half the buffer and
// the window now is twice it, and at least min(a quarter of the buffer,
// a packet) larger, which avoids the silly window syndrome (RFC 1122
// section 4.2.3.3). A rule that waited for the window advertised to be
// nearly closed left a sender idle: one runtime's socket reader goes
// through a batch of up to 2 MiB of 64 KiB packets on loopback before the
// application reads any of it, so the SACKs of the batch offer ever
// smaller windows; the sender used them up and then waited for the next
// batch's SACKs, with the window long free again. perf at 8000 bytes, one
// core per process: both processes idle a quarter of the time, the
// sender always on the receiver's window.
func (a *Association) windowUpdate(now time.Time) {
	r := &a.rx
	if r.reasm == nil || !a.dataAllowed() || r.sackNow || !a.updateWanted(r.view) {
		return
	}
	room := a.receiveWindow()
	w := a.ep.rxShare.capped(now, room)
	need := a.updateAt(r.view)
	if w >= need || (w < room && w > r.view) {
		// Twice the peer's window, or all the endpoint's share allows (a
		// share below a packet would otherwise leave a closed window to
		// the peer's probes).
		r.sackNow = true
		return
	}
	// Not yet: the readers come back when they have freed the rest.
	r.watch.dueAt.Store(r.watch.read.Load() + int64(need-w))
}

// updateWanted reports whether the peer, believing it has a window of
// view bytes, may be held up by it: once it is half the buffer or less.
func (a *Association) updateWanted(view int) bool { return 2*view <= a.cfg.RecvBuffer }

// updateAt is the window that makes an update worth sending to a peer
// that believes it has view bytes.
func (a *Association) updateAt(view int) int {
	return max(2*view, view+min(a.cfg.RecvBuffer/4, a.primary.mtu))
}
