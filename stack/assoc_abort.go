package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// abortWith sends an ABORT with an optional cause to the peer and closes
// the association with err (RFC 9260 section 9.1).
func (a *Association) abortWith(now time.Time, cause wire.CauseValue, err error) {
	a.abortWithTag(now, cause, a.peerTag, err)
}

// abortWithTag is abortWith for the handshake, when the tag to use comes
// from the chunk being answered.
func (a *Association) abortWithTag(_ time.Time, cause wire.CauseValue, tag uint32, err error) {
	if a.primary != nil && tag != 0 {
		a.ctrl = a.ctrl[:0] // nothing queued matters once we abort
		a.queueCtrlTo(abortChunk(cause), a.primary.remote, a.primary.local, tag)
	}
	a.stats.AbortsSent++
	a.terminate(err)
}

// handleAbort processes the peer's ABORT (section 9.1), whose tag the
// router checked (section 8.5.1 B).
func (a *Association) handleAbort(rp *rxPacket, c wire.Chunk) {
	var ab wire.Abort
	if ab.Decode(c) != nil || !a.tagValid(rp, c) {
		return
	}
	if a.state == stateShutdownAckSent && ab.TagReflected {
		// The peer answered a packet of ours out of the blue (section 8.4
		// rule 8): it no longer has the association it closed with its
		// SHUTDOWN, so our SHUTDOWN ACK reached it and only its SHUTDOWN
		// COMPLETE is still on the way. This happens when a heartbeat or
		// its answer, sent on another path, arrives after the SHUTDOWN
		// ACK. Both sides had all their data acknowledged, and a peer
		// without the association would answer our next SHUTDOWN ACK with
		// a SHUTDOWN COMPLETE (rule 5) anyway: the close is the graceful
		// one.
		a.finishGracefully()
		return
	}
	a.stats.AbortsReceived++
	a.terminate(&AbortError{Remote: true, Causes: describeCauses(ab.Causes)})
}

// tagValid applies the T-bit rule of section 8.5.1 B to ABORT and SHUTDOWN
// COMPLETE: the T bit means the packet carries the peer's tag, otherwise
// ours.
func (a *Association) tagValid(rp *rxPacket, c wire.Chunk) bool {
	vtag := wire.Packet(rp.data).VerificationTag()
	if c.Flags()&1 != 0 {
		return vtag == a.peerTag
	}
	return vtag == a.localTag
}

// handleError processes an ERROR chunk: causes are reported as events; a
// Stale Cookie during setup restarts the handshake with a Cookie
// Preservative (section 5.2.6).
func (a *Association) handleError(now time.Time, c wire.Chunk) {
	var e wire.ErrorChunk
	if e.Decode(c) != nil {
		a.badChunk(c)
		return
	}
	it := e.Causes.Iter()
	for cause, ok := it.Next(); ok; cause, ok = it.Next() {
		if cause.Code() == wire.CauseStaleCookie && a.state == stateCookieEchoed {
			var sc wire.StaleCookieCause
			if sc.Decode(cause) == nil {
				a.retryStaleCookie(now, time.Duration(sc.StalenessMicros)*time.Microsecond)
			}
			continue
		}
		a.emit(Event{Type: EventPeerError, Err: &CauseError{Code: cause.Code(), Info: string(cause.Value())}})
	}
}

// retryStaleCookie sends a new INIT asking for a longer cookie life
// (section 5.2.6), unless the retransmission limit is reached.
func (a *Association) retryStaleCookie(now time.Time, staleness time.Duration) {
	if a.hs.t1Sends > a.cfg.MaxInitRetrans {
		a.terminate(ErrHandshakeTimeout)
		return
	}
	var init wire.Init
	if init.Decode(wire.Chunk(a.hs.initOut)) != nil {
		return
	}
	incr := uint32(min(2*staleness, maxCookieIncrement).Milliseconds())
	init.Params = wire.AppendParam(append(wire.Params(nil), init.Params...), &wire.CookiePreservativeParam{IncrementMillis: incr})
	a.hs.initOut = init.Append(nil)
	a.state = stateCookieWait
	a.sendT1(now)
}

// terminate closes the association: stop timers and fail what is pending.
// err nil means a graceful close.
func (a *Association) terminate(err error) {
	if a.state == stateClosed {
		return
	}
	wasUp := a.state >= stateEstablished
	if err != nil {
		err = a.failure(err)
	}
	a.state = stateClosed
	if err != nil {
		a.closeErr = err
		if wasUp {
			a.emit(Event{Type: EventCommLost, Err: err})
		}
	}
	if err == nil {
		err = ErrClosed
	}
	a.failOutstanding(err)
	a.closeSendQueue(err)
}

// failOutstanding reports every message not yet acknowledged as failed and
// returns its buffer space; the sender keeps no trace of them.
func (a *Association) failOutstanding(err error) {
	s := &a.tx
	freed := s.released
	for tsn := s.cumAck + 1; s.ring.len() > 0 && tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c == nil || c.state == chunkAbandoned {
			continue
		}
		freed += len(c.data)
		if c.flags.Has(wire.FlagEnd) {
			freed += chunkCost
			a.emit(Event{Type: EventSendFailed, Stream: c.sid, PPID: c.ppid, Err: err})
		}
	}
	freed -= s.frag.off // bytes of the queue head counted with the ring
	for m := range s.queue.all() {
		freed += len(m.data) + chunkCost
		a.emit(Event{Type: EventSendFailed, Stream: m.info.Stream, PPID: m.info.PPID, Err: err})
	}
	s.queue, s.released = msgQueue{}, 0
	q := &a.sendq
	q.mu.Lock()
	q.bytes -= freed
	q.space.broadcast()
	q.mu.Unlock()
}

// badChunk counts a malformed chunk; the rest of its packet is dropped.
func (a *Association) badChunk(c wire.Chunk) {
	a.stats.MalformedChunks++
	a.log.Debugf("malformed %s chunk dropped", c.Type())
}
