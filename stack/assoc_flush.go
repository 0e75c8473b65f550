package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// ctrlChunk is an encoded control chunk waiting for the next flush.
type ctrlChunk struct {
	data   []byte // the chunk, padded
	remote netip.AddrPort
	local  netip.Addr
	vtag   uint32
}

// queueCtrl queues an encoded chunk for the peer's primary path (or the
// given path), tagged with the peer's verification tag.
func (a *Association) queueCtrl(data []byte, p *path) {
	if p == nil {
		p = a.primary
	}
	a.ctrl = append(a.ctrl, ctrlChunk{data: data, remote: p.remote, local: p.local, vtag: a.peerTag})
}

// reply queues a chunk answering the packet rp: back to where it came from,
// from the address it arrived on (the peer may be checking which of our
// addresses answers).
func (a *Association) reply(data []byte, rp *rxPacket) {
	a.queueCtrlTo(data, rp.remote, a.replySource(rp.local.Addr(), a.pathTo(rp.remote.Addr().Unmap())), a.peerTag)
}

// queueCtrlTo queues an encoded chunk for an explicit destination and tag,
// for replies that do not follow a path (INIT ACK, ABORT to an address).
func (a *Association) queueCtrlTo(data []byte, remote netip.AddrPort, local netip.Addr, vtag uint32) {
	a.ctrl = append(a.ctrl, ctrlChunk{data: data, remote: remote, local: local, vtag: vtag})
}

// flush sends what the loop iteration produced: control chunks first, then
// a SACK, a FORWARD-TSN, retransmissions and new data, bundled into as few
// packets as the MTU allows (RFC 9260 section 6.10).
func (a *Association) flush(now time.Time, b *builder) {
	b.auth = a.auth // the handshake may have set it up since b was lent
	if a.dataAllowed() {
		a.flushASCONF(now)
	}
	a.flushCtrl(b)
	if a.dataAllowed() {
		// Control chunks go before DATA in a packet (section 6.10): a SACK
		// rides ahead of the data when there is data to send, or goes
		// alone.
		if a.rx.sackNow || (a.rx.ackPending && a.willSendData()) {
			a.flushSack(now, b)
		}
		a.flushForwardTSN(b)
		a.flushData(now, b)
		if a.rx.sackNow {
			a.flushSack(now, b)
		}
	}
	b.send()
	a.sendsRefused(now, b.refused)
	a.stats.PacketsSent += uint64(b.sent)
	a.stats.BytesSent += uint64(b.bytes)
	a.stats.SendErrors += uint64(b.errs)
	a.stats.SendCalls += uint64(b.calls)
}

// flushCtrl puts the queued control chunks in packets.
func (a *Association) flushCtrl(b *builder) {
	for _, c := range a.ctrl {
		b.open(c.remote, c.local, c.vtag, a.mtuFor(c.remote), wire.ChunkType(c.data[0]), len(c.data))
		b.cur = append(b.cur, c.data...)
	}
	clear(a.ctrl)
	a.ctrl = a.ctrl[:0]
}

// dataAllowed reports whether the state lets DATA and SACK flow.
func (a *Association) dataAllowed() bool {
	switch a.state {
	case stateEstablished, stateShutdownPending, stateShutdownReceived, stateShutdownSent:
		return a.primary != nil
	}
	return false
}

// probesAllowed reports whether heartbeats and path MTU probes may go
// out. Once our SHUTDOWN is sent, T2-shutdown watches the peer, and a
// probe then would only draw an answer that arrives after the close, as
// an out-of-the-blue packet that we would have to answer with an ABORT
// (Linux stops its heartbeat timers there too).
func (a *Association) probesAllowed() bool {
	return a.state != stateShutdownSent && a.dataAllowed()
}

// mtuFor returns the packet size limit toward remote.
func (a *Association) mtuFor(remote netip.AddrPort) int {
	for _, p := range a.paths {
		if p.remote.Addr() == remote.Addr() {
			return p.mtu
		}
	}
	return a.cfg.pmtu() - udpOverhead - ipv6Overhead
}

// flushSack adds a SACK to the packet toward where the last DATA came
// from, starting a new packet if the open one already carries DATA.
func (a *Association) flushSack(now time.Time, b *builder) {
	r := &a.rx
	dest := r.sackPath
	if dest == nil {
		dest = a.primary
	}
	if b.hasDat {
		b.close()
	}
	readAt := a.fillSack(&r.sack)
	w := a.ep.rxShare.window(now, &a.rxEpoch, int(r.sack.ARwnd))
	r.sack.ARwnd = uint32(w)
	a.advertised(w, readAt)
	src := dest.local
	if r.sackLocal.IsValid() {
		src = a.replySource(r.sackLocal, dest) // from where the DATA arrived
	}
	b.open(dest.remote, src, a.peerTag, dest.mtu, wire.TypeSack, r.sack.Len())
	b.cur = r.sack.Append(b.cur)
	for _, c := range r.afterSack {
		b.open(dest.remote, src, a.peerTag, dest.mtu, wire.ChunkType(c[0]), len(c))
		b.cur = append(b.cur, c...)
	}
	clear(r.afterSack)
	r.afterSack = r.afterSack[:0]
	r.sackSent(now)
	a.stats.SacksSent++
}

// willSendData reports whether the flush is going to send DATA.
func (a *Association) willSendData() bool {
	s := &a.tx
	p := a.primary
	return s.marked > 0 || (s.hasQueued() && p.flight < p.cc.Window() && (s.peerRwnd > 0 || s.outstanding == 0))
}

// flushForwardTSN sends a FORWARD-TSN (or I-FORWARD-TSN) when abandoned
// chunks moved the advanced peer ack point (RFC 3758 section 3.5 C3).
func (a *Association) flushForwardTSN(b *builder) {
	if !a.tx.sendFwd {
		return
	}
	a.tx.sendFwd = false
	if !a.advancePeerAck() {
		return
	}
	chunk := a.forwardTSNChunk()
	dest := a.primary
	b.open(dest.remote, dest.local, a.peerTag, dest.mtu, wire.ChunkType(chunk[0]), len(chunk))
	b.cur = append(b.cur, chunk...)
	a.stats.ForwardTSNsSent++
}

// forwardTSNChunk encodes the FORWARD-TSN for the chunks abandoned up to
// the advanced peer ack point, listing the last skipped sequence number of
// each ordered stream.
func (a *Association) forwardTSNChunk() []byte {
	s := &a.tx
	if s.idata {
		f := wire.IForwardTSN{NewCumTSN: s.advPeerAck}
		for tsn := s.cumAck + 1; serial.LessEq32(tsn, s.advPeerAck); tsn++ {
			c := s.ring.at(tsn)
			f.Streams = setIForwardEntry(f.Streams, wire.StreamMID{Stream: c.sid, Unordered: c.flags.Has(wire.FlagUnordered), MID: c.mid})
		}
		return f.Append(nil)
	}
	f := wire.ForwardTSN{NewCumTSN: s.advPeerAck}
	for tsn := s.cumAck + 1; serial.LessEq32(tsn, s.advPeerAck); tsn++ {
		c := s.ring.at(tsn)
		if !c.flags.Has(wire.FlagUnordered) {
			f.Streams = setStreamSSN(f.Streams, wire.StreamSSN{Stream: c.sid, SSN: uint16(c.mid)})
		}
	}
	return f.Append(nil)
}

// setStreamSSN records the latest skipped SSN of a stream.
func setStreamSSN(l []wire.StreamSSN, e wire.StreamSSN) []wire.StreamSSN {
	for i := range l {
		if l[i].Stream == e.Stream {
			l[i].SSN = e.SSN
			return l
		}
	}
	return append(l, e)
}

// setIForwardEntry records the latest skipped MID of a stream and
// ordering.
func setIForwardEntry(l []wire.StreamMID, e wire.StreamMID) []wire.StreamMID {
	for i := range l {
		if l[i].Stream == e.Stream && l[i].Unordered == e.Unordered {
			l[i].MID = e.MID
			return l
		}
	}
	return append(l, e)
}

// flushData sends retransmissions, then new data, within the congestion and
// receiver windows.
func (a *Association) flushData(now time.Time, b *builder) {
	if a.tx.marked > 0 {
		a.sendMarked(now, b)
	}
	if a.primary.usable() || a.primary == a.preferred {
		a.sendNew(now, b, a.primary)
	}
}

// maxPayload is the largest chunk payload that fits one packet to p.
func (a *Association) maxPayload(p *path) int {
	n := p.mtu - wire.CommonHeaderLen - a.tx.dataHeaderLen()
	if a.auth != nil && a.auth.SendNeedsAuth(a.tx.dataType()) {
		n -= a.auth.AuthLen()
	}
	return n
}

// sendMarked retransmits chunks marked by fast retransmit or T3 expiry,
// lowest TSN first, each to the path rtxPath picks. The first packet of a
// fast retransmission ignores cwnd (RFC 9260 section 7.2.4 step 3).
func (a *Association) sendMarked(now time.Time, b *builder) {
	s := &a.tx
	budget := 0
	if s.fastRtxPending {
		budget = a.primary.mtu
		s.fastRtxPending = false
	}
	for tsn := s.cumAck + 1; s.marked > 0 && tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c.state != chunkMarked {
			continue
		}
		if s.prsctp && s.expired(c, now) {
			a.abandon(c)
			continue
		}
		dest := a.rtxPath(c)
		size := padLen(s.dataHeaderLen() + len(c.data))
		if budget < size && dest.flight >= dest.cc.Window() {
			dest.cc.Limited()
			continue // another destination may still have room
		}
		budget -= size
		s.setState(c, chunkOutstanding)
		c.timedOut = false
		b.open(dest.remote, dest.local, a.peerTag, dest.mtu, s.dataType(), size)
		a.transmit(now, b, c, dest)
		dest.stats.Retransmissions++
		a.stats.Retransmissions++
	}
}

// sendNew chunks and sends queued messages while the windows allow.
func (a *Association) sendNew(now time.Time, b *builder, dest *path) {
	s := &a.tx
	whole, frag := a.fragSizes()
	a.sendq.noteWhole(whole)
	// A full packet's worth, headers counted, as Nagle's rule counts it.
	if s.queuedWire() >= a.maxPayload(dest) {
		a.wantLargerPackets(now, dest)
	}
	for s.hasQueued() {
		if dest.flight >= dest.cc.Window() {
			dest.cc.Limited()
			return
		}
		head := s.queue.front()
		rest := len(head.data) - s.frag.off
		maxp := fragSize(rest, whole, frag)
		next := min(rest, maxp)
		// Rule A of section 6.1: new data must fit the peer's window,
		// except that one chunk may always be in flight (after an RTO
		// when the window is closed: a zero-window probe).
		if s.peerRwnd < peerCost(next) && (s.outstanding > 0 || (s.peerRwnd <= 0 && !a.mayProbe(now, dest))) {
			return
		}
		size := padLen(s.dataHeaderLen() + next)
		if a.nagleHolds(now, b, dest, size) {
			return
		}
		c := a.cutChunk(now, maxp)
		if c == nil {
			return
		}
		b.open(dest.remote, dest.local, a.peerTag, dest.mtu, s.dataType(), size)
		a.transmit(now, b, c, dest)
	}
}

// nagleHolds implements Nagle's rule for SCTP (RFC 9260 section 6.1 D):
// while data is outstanding, a packet is not started for less than a full
// packet of data. Holding never lasts longer than nagleDelay.
func (a *Association) nagleHolds(now time.Time, b *builder, dest *path, size int) bool {
	if a.cfg.NoDelay || a.tx.nagleOver || a.tx.outstanding == 0 || (b.cur != nil && b.dest == dest.remote && b.room() >= size) {
		return false
	}
	if a.tx.queuedWire() >= a.maxPayload(dest) {
		return false // a full packet's worth, headers counted
	}
	if a.tx.nagleDue.IsZero() {
		a.tx.nagleDue = now.Add(nagleDelay)
		return true
	}
	return now.Before(a.tx.nagleDue)
}

// waitsForSack reports whether the last chunk for now asks the peer for
// an immediate SACK (RFC 7053), so that a delayed SACK never stalls a
// sender that waits for it: one whose Nagle rule holds the next small
// message while data is outstanding, or one shutting down. A NoDelay
// sender waits for nothing in the established state, so its peer may
// delay the SACK (RFC 9260 section 6.2) and bundle it with the answer: a
// request and its response are then two packets, not four.
func (a *Association) waitsForSack() bool {
	return !a.cfg.NoDelay || a.state != stateEstablished
}

// nagleDelay bounds how long Nagle's rule holds a small message back, for
// peers that ignore the SACK-IMMEDIATELY flag.
const nagleDelay = 2 * time.Millisecond

// transmit appends chunk c to the open packet for dest and accounts for it.
func (a *Association) transmit(now time.Time, b *builder, c *outChunk, dest *path) {
	s := &a.tx
	flags := c.flags
	if !s.hasQueued() && a.waitsForSack() {
		flags |= wire.FlagImmediate
	}
	// A framed chunk's header goes into its frame's room in the send
	// buffer. A retransmission writes it there again, the same but for
	// the I bit: the output has sent or copied every packet of an
	// earlier flush by then (see addPayload).
	hdr, frame := b.cur, []byte(nil)
	if c.form == payloadFramed {
		frame = frameOf(c.data, s.dataHeaderLen(), c.blk)
		hdr = frame[:0]
	}
	// The headers' fields are set one by one: built from a composite
	// literal, the header went through a temporary copied 16 bytes at a
	// time, loads that cannot take fields just stored separately and
	// waited for every older store to reach the cache, the previous
	// chunk's payload copy included (half of transmit's samples).
	if s.idata {
		var d wire.IData
		d.Flags, d.TSN, d.Stream, d.MID, d.Payload = flags, c.tsn, c.sid, c.mid, c.data
		if c.flags.Has(wire.FlagBegin) {
			d.PPID = c.ppid
		} else {
			d.FSN = c.fsn
		}
		hdr = d.AppendHeader(hdr)
	} else {
		var d wire.Data
		d.Flags, d.TSN, d.Stream, d.SSN, d.PPID, d.Payload = flags, c.tsn, c.sid, uint16(c.mid), c.ppid, c.data
		hdr = d.AppendHeader(hdr)
	}
	if frame != nil {
		b.addFrame(frame) // the header went into the frame's room
	} else {
		b.cur = hdr
		b.addPayload(c.data, payloadLayout{crc: c.crc, form: c.form})
	}
	b.hasDat = true
	c.path = dest
	dest.lastData = now
	c.sends++
	if c.sends == 1 && !dest.rttPending {
		dest.rttPending, dest.rttTSN, dest.rttSent = true, c.tsn, now
	}
	if !c.inFlight {
		c.inFlight = true
		dest.flight += len(c.data)
		s.outstanding += len(c.data)
		s.outChunks++
	}
	s.peerRwnd -= peerCost(len(c.data))
	if dest.t3.IsZero() {
		dest.t3 = now.Add(dest.rto.rto)
	}
	dest.stats.BytesSent += uint64(len(c.data))
	dest.stats.ChunksSent++
	a.stats.ChunksSent++
	a.stats.BytesSentUser += uint64(len(c.data))
	s.nagleDue, s.nagleOver = time.Time{}, false
}
