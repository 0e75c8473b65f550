package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// shutdownState is the graceful close of RFC 9260 section 9.2.
type shutdownState struct {
	t2      time.Time // T2-shutdown deadline
	t2RTO   rtoCalc
	t5      time.Time // T5-shutdown-guard deadline
	peerEOF bool      // the peer will send no more data
	// from and on are the peer address the last SHUTDOWN came from and
	// the local address it arrived on: the SHUTDOWN ACK answers it there,
	// a pair known to work, whatever the primary path's source is.
	from netip.AddrPort
	on   netip.Addr
	// asconfUntil bounds how long our close waits for the ASCONF that
	// was in flight when it began (see asconfSettled).
	asconfUntil time.Time
}

// startShutdown is the user's request for a graceful close: no new data,
// and a SHUTDOWN once everything sent is acknowledged.
func (a *Association) startShutdown(now time.Time) {
	switch a.state {
	case stateEstablished:
		a.state = stateShutdownPending
		if a.asconfInFlight() {
			a.shutdown.asconfUntil = now.Add(asconfCloseWait * a.primary.rto.rto)
		}
		// Refuse new messages first, then take what was accepted before,
		// so nothing slips in after the SHUTDOWN.
		a.closeSendQueue(ErrShutdown)
		a.takeUserData(now)
		a.checkShutdownProgress(now)
	case stateCookieWait, stateCookieEchoed:
		a.terminate(ErrShutdown) // nothing to tell the peer yet
	}
}

// allAcked reports whether every message was sent and acknowledged.
func (a *Association) allAcked() bool {
	return !a.tx.hasQueued() && a.tx.ring.len() == 0
}

// asconfCloseWait is how many RTOs of the primary path our close waits
// for an ASCONF in flight: its first two retransmissions (T4 doubles).
const asconfCloseWait = 3

// asconfSettled reports whether our close may go on as far as address
// changes are concerned. It waits for the ASCONF in flight when it began,
// so that the peer's last view of us is the true one (a moved endpoint's
// peer forgets the address it left), a lost one being resent by T4
// meanwhile; but only for asconfCloseWait RTOs, since a peer may
// acknowledge data and never answer ASCONFs. Requests still queued leave
// with the SHUTDOWN. handleAsconfAck and onT4 come back here.
func (a *Association) asconfSettled(now time.Time) bool {
	return !a.asconfInFlight() || !now.Before(a.shutdown.asconfUntil)
}

// checkShutdownProgress sends SHUTDOWN or SHUTDOWN ACK when the outstanding
// data of a closing association has been acknowledged.
func (a *Association) checkShutdownProgress(now time.Time) {
	if !a.allAcked() {
		return
	}
	switch a.state {
	case stateShutdownPending:
		if !a.asconfSettled(now) {
			return // handleAsconfAck comes back here
		}
		a.state = stateShutdownSent
		a.startT2()
		a.sendShutdown(now)
		a.shutdown.t5 = now.Add(5 * a.cfg.RTOMax)
	case stateShutdownReceived:
		a.state = stateShutdownAckSent
		a.startT2()
		a.sendShutdownAck(now)
	}
}

func (a *Association) sendShutdown(now time.Time) {
	a.queueCtrl((&wire.Shutdown{CumTSNAck: a.rx.tsns.cum}).Append(nil), nil)
	a.rx.sackSent(now) // SHUTDOWN acknowledges like a SACK
	a.armT2(now)
}

func (a *Association) sendShutdownAck(now time.Time) {
	ack := (&wire.ShutdownAck{}).Append(nil)
	if from := a.shutdown.from; from.IsValid() {
		a.queueCtrlTo(ack, from, a.replySource(a.shutdown.on, a.pathTo(from.Addr().Unmap())), a.peerTag)
	} else {
		a.queueCtrl(ack, nil)
	}
	a.armT2(now)
}

// startT2 begins a shutdown phase with T2 at the primary path's RTO; the
// retransmissions of the phase back off from there.
func (a *Association) startT2() { a.shutdown.t2RTO = a.primary.rto }

// armT2 (re)starts T2 with its current, possibly backed-off, RTO.
func (a *Association) armT2(now time.Time) {
	a.shutdown.t2 = now.Add(a.shutdown.t2RTO.rto)
}

// onT2 retransmits SHUTDOWN or SHUTDOWN ACK with backoff (section 9.2).
// The timeout counts as an error on the path, so with SCTP-PF the
// retransmission already goes to another path when there is one.
func (a *Association) onT2(now time.Time) {
	a.shutdown.t2 = time.Time{}
	a.pathError(now, a.primary)
	if a.state == stateClosed {
		return
	}
	a.shutdown.t2RTO.backoff()
	switch a.state {
	case stateShutdownSent:
		a.sendShutdown(now)
	case stateShutdownAckSent:
		a.sendShutdownAck(now)
	}
}

// onT5 gives up on a shutdown that does not complete.
func (a *Association) onT5(now time.Time) {
	a.shutdown.t5 = time.Time{}
	if a.state == stateShutdownSent || a.state == stateShutdownAckSent {
		a.abortWith(now, nil, ErrShutdownTimeout)
	}
}

// handleShutdown processes the peer's SHUTDOWN, which arrived in rp.
func (a *Association) handleShutdown(now time.Time, rp *rxPacket, c wire.Chunk) bool {
	var s wire.Shutdown
	if s.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	if !a.dataAllowed() {
		return true
	}
	a.shutdown.from, a.shutdown.on = rp.remote, rp.local.Addr()
	a.ackCumulative(now, s.CumTSNAck)
	a.peerFinished()
	switch a.state {
	case stateEstablished, stateShutdownPending:
		a.state = stateShutdownReceived
		a.closeSendQueue(ErrShutdown)
		a.takeUserData(now) // accepted messages still go out first
		a.checkShutdownProgress(now)
	case stateShutdownSent:
		// Both sides closed at once.
		a.state = stateShutdownAckSent
		a.startT2()
		a.sendShutdownAck(now)
	}
	return true
}

// ackCumulative applies the cumulative ack a SHUTDOWN carries.
func (a *Association) ackCumulative(now time.Time, cum uint32) {
	if serial.Less32(cum, a.tx.cumAck) || !serial.Less32(cum, a.tx.nextTSN) {
		return
	}
	sk := wire.Sack{CumTSN: cum, ARwnd: uint32(max(a.tx.peerRwnd+a.tx.inFlightCost(), 0))}
	a.processSack(now, &sk)
}

// handleShutdownAck completes our SHUTDOWN (section 9.2).
func (a *Association) handleShutdownAck(now time.Time, rp *rxPacket) {
	switch a.state {
	case stateShutdownSent, stateShutdownAckSent:
		a.reply((&wire.ShutdownComplete{}).Append(nil), rp)
		a.finishGracefully()
	case stateCookieWait, stateCookieEchoed:
		// Section 8.5.1 E: answer as out of the blue, with the T bit.
		a.queueCtrlTo((&wire.ShutdownComplete{TagReflected: true}).Append(nil), rp.remote, rp.local.Addr(), wire.Packet(rp.data).VerificationTag())
	}
}

// handleShutdownComplete ends an association in SHUTDOWN-ACK-SENT.
func (a *Association) handleShutdownComplete(rp *rxPacket, c wire.Chunk) {
	if a.state != stateShutdownAckSent || !a.tagValid(rp, c) {
		return
	}
	a.finishGracefully()
}

// finishGracefully closes after a completed shutdown.
func (a *Association) finishGracefully() {
	a.peerFinished()
	a.emit(Event{Type: EventShutdownComplete})
	a.terminate(nil)
}

// peerFinished tells readers that no more data will come, once they have
// read what arrived.
func (a *Association) peerFinished() {
	if a.shutdown.peerEOF {
		return
	}
	a.shutdown.peerEOF = true
	a.deliverReady()
	a.eachQueue(func(q *recvQueue) {
		q.eof = true
		q.ready.broadcast()
	})
}

// closeSendQueue makes SendMsg fail from now on.
func (a *Association) closeSendQueue(err error) {
	a.sendq.mu.Lock()
	if a.sendq.closed == nil {
		a.sendq.closed = err
	}
	a.sendq.space.broadcast()
	a.sendq.mu.Unlock()
}
