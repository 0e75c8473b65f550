package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// receive is the transport's handler: it checks each datagram's common
// header and checksum, finds its association and queues it there, then
// has the associations run the rounds that process them (see deliver).
// Packets that belong to no association (INIT, COOKIE ECHO, out of the
// blue) are answered here, statelessly. The clock is read once per batch:
// this is the loop of the endpoint's stateless part.
func (ep *Endpoint) receive(batch []encap.Datagram) {
	now := time.Now()
	run := rxRun{ep: ep} // on the reader's stack, in its core's cache
	for i := range batch {
		ep.route(now, &batch[i], &run)
	}
	run.flush()
	run.got.deliver(&ep.out)
}

// rxRunMax is the most packets an rxRun holds before it hands them over.
const rxRunMax = 32

// rxRun gathers the consecutive datagrams of a batch that go to one
// association, typically all of a GRO read, so that they are queued with
// one lock of its inbox, which its rounds take too. The rounds run when
// the whole batch is queued (received.deliver): a round run earlier would
// process part of it, and answer with a SACK per round what one round can
// answer in one flush.
type rxRun struct {
	ep *Endpoint
	a  *Association
	// The packets, in the struct itself: a slice of an array elsewhere
	// would make that array escape to the heap with the associations
	// this struct points to.
	pkts  [rxRunMax]rxPacket
	npkts int
	got   received // the associations to run rounds for, at the end of the batch
	// The latest association found by verification tag and source port:
	// the next datagram with both the same goes there without a look-up
	// under the endpoint's lock, as if it had come a moment earlier.
	tagged *Association
	tag    uint32
	port   uint16
}

// add takes d for a (see bufPool.hold), after handing over the run of
// another association.
func (r *rxRun) add(a *Association, d *encap.Datagram) {
	if a != r.a || r.npkts == rxRunMax {
		r.flush()
		r.a = a
	}
	data, buf := r.ep.bufs.hold(d)
	r.pkts[r.npkts] = rxPacket{buf: buf, data: data, local: d.Local, remote: d.Remote}
	r.npkts++
}

// flush queues the run's packets to their association, whose round runs
// at the end of the batch.
func (r *rxRun) flush() {
	a := r.a
	if a == nil {
		return
	}
	a.in.mu.Lock()
	a.in.pkts = append(a.in.pkts, r.pkts[:r.npkts]...)
	a.in.mu.Unlock()
	r.npkts, r.a = 0, nil
	r.got.add(a)
}

// route validates d and queues it to its association in run, or answers
// it statelessly.
func (ep *Endpoint) route(now time.Time, d *encap.Datagram, run *rxRun) {
	ep.stats.packetsIn.Add(1)
	pkt, first, ok := ep.check(d.Data)
	if !ok {
		return
	}
	vtag := pkt.VerificationTag()
	if run.tagged != nil && vtag == run.tag && pkt.SrcPort() == run.port && first.Type() != wire.TypeInit {
		run.add(run.tagged, d)
		return
	}
	src := d.Remote.Addr().Unmap()
	ep.mu.Lock()
	a := ep.byTag[vtag]
	if a != nil && (vtag == 0 || a.peerPort != pkt.SrcPort()) {
		a = nil
	}
	peer := ep.byPeer[peerKey{src, pkt.SrcPort()}]
	var peerTag uint32
	if peer != nil {
		peerTag = peer.routePeerTag
	}
	ep.mu.Unlock()

	switch {
	case a != nil && first.Type() != wire.TypeInit:
		run.tagged, run.tag, run.port = a, vtag, pkt.SrcPort()
		run.add(a, d)
	case first.Type() == wire.TypeInit:
		if vtag != 0 {
			return // section 8.5.1 A: an INIT must carry tag 0
		}
		if peer != nil {
			run.add(peer, d) // collision or restart: section 5.2
			return
		}
		// The INIT and the COOKIE ECHO below may be queued to an
		// association at once, after what went ahead of them, or make
		// one: the next datagram is looked up afresh.
		run.flush()
		run.tagged = nil
		if a := ep.answerInit(now, d, pkt, first); a != nil {
			run.got.add(a)
		}
	case first.Type() == wire.TypeCookieEcho:
		run.flush()
		run.tagged = nil
		if a := ep.handleCookieEcho(now, d, pkt, first, peer); a != nil {
			run.got.add(a)
		}
	case peer != nil && tagReflected(first) && vtag == peerTag:
		run.add(peer, d) // section 8.5.1 B and C: T bit set
	case peer != nil:
		// From the peer's address and port with a wrong tag: not out of
		// the blue but to be discarded (section 8.5); the association
		// counts it.
		run.add(peer, d)
	default:
		ep.outOfTheBlue(now, d, pkt, first)
	}
}

// check validates the common header and checksum and returns the packet
// with its first chunk.
func (ep *Endpoint) check(b []byte) (wire.Packet, wire.Chunk, bool) {
	pkt, err := wire.ParsePacket(b)
	if err != nil {
		ep.stats.runts.Add(1)
		return nil, nil, false
	}
	if pkt.DstPort() != ep.Port() {
		ep.stats.wrongPort.Add(1)
		return nil, nil, false
	}
	if !pkt.VerifyChecksum() && !(ep.cfg.AcceptZeroChecksum && pkt.Checksum() == 0) {
		ep.stats.badChecksum.Add(1)
		return nil, nil, false
	}
	it := pkt.Chunks()
	first, ok := it.Next()
	if !ok {
		ep.stats.runts.Add(1) // no chunk, or a malformed first one
		return nil, nil, false
	}
	return pkt, first, true
}

// enqueue queues d for a at once, for the stateless handlers; the caller
// has a's round run.
func (ep *Endpoint) enqueue(a *Association, d *encap.Datagram) *Association {
	data, buf := ep.bufs.hold(d)
	a.in.mu.Lock()
	a.in.pkts = append(a.in.pkts, rxPacket{buf: buf, data: data, local: d.Local, remote: d.Remote})
	a.in.mu.Unlock()
	return a
}

// tagReflected reports whether c is an ABORT or SHUTDOWN COMPLETE with the
// T bit, which carries the peer's tag instead of ours.
func tagReflected(c wire.Chunk) bool {
	t := c.Type()
	return (t == wire.TypeAbort || t == wire.TypeShutdownComplete) && c.Flags()&1 != 0
}

// outOfTheBlue answers a packet that belongs to no association (RFC 9260
// section 8.4).
func (ep *Endpoint) outOfTheBlue(now time.Time, d *encap.Datagram, pkt wire.Packet, first wire.Chunk) {
	ep.stats.ootb.Add(1)
	if !d.Remote.Addr().IsGlobalUnicast() && !d.Remote.Addr().IsLoopback() && !d.Remote.Addr().IsPrivate() {
		return // rule 1: not a unicast source
	}
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch c.Type() {
		case wire.TypeAbort, wire.TypeShutdownComplete, wire.TypeCookieAck:
			return // rules 2, 6 and 7
		case wire.TypeError:
			if isStaleCookieError(c) {
				return // rule 7
			}
		case wire.TypeShutdownAck:
			// Rule 5: SHUTDOWN COMPLETE with the T bit and the tag received.
			ep.sendReply(d, pkt.VerificationTag(), (&wire.ShutdownComplete{TagReflected: true}).Append(nil))
			return
		}
	}
	if ep.endedTags.recent(pkt.VerificationTag(), now) {
		ep.stats.lateAfterClose.Add(1)
		return
	}
	if !ep.ootbLimit.allow(now) {
		return
	}
	// Rule 8: ABORT with the T bit, carrying the tag received.
	ep.stats.ootbAborts.Add(1)
	ep.sendReply(d, pkt.VerificationTag(), (&wire.Abort{TagReflected: true}).Append(nil))
}

func isStaleCookieError(c wire.Chunk) bool {
	var e wire.ErrorChunk
	if e.Decode(c) != nil {
		return false
	}
	it := e.Causes.Iter()
	for cause, ok := it.Next(); ok; cause, ok = it.Next() {
		if cause.Code() == wire.CauseStaleCookie {
			return true
		}
	}
	return false
}

// sendReply sends one chunk back to where d came from, from the address d
// arrived on.
func (ep *Endpoint) sendReply(d *encap.Datagram, vtag uint32, chunk []byte) {
	pkt := wire.Packet(d.Data)
	b := wire.Header{SrcPort: ep.Port(), DstPort: pkt.SrcPort(), VerificationTag: vtag}.Append(make([]byte, 0, wire.CommonHeaderLen+len(chunk)))
	b = append(b, chunk...)
	wire.SetChecksum(b)
	_ = ep.conn.SendBatch([]encap.Datagram{{Data: b, Local: netip.AddrPortFrom(d.Local.Addr(), 0), Remote: d.Remote}})
}
