package stack

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// reconfig is the stream reset part of RFC 6525: Stream.Close asks the
// peer to reset the incoming side of the stream (an Outgoing SSN Reset
// Request), so that the peer's reads end with io.EOF, and the peer's
// requests of that kind end our reads the same way. One request of ours is
// in flight at a time; streams closed meanwhile wait for the next one.
// The peer may add streams it sends on, up to Config.MaxInStreams; its
// Incoming SSN Reset, SSN/TSN Reset and Add Incoming Streams requests are
// denied.
type reconfig struct {
	nextSeq uint32   // our next request sequence number (section 5.1.1)
	peerSeq uint32   // the peer's next expected request sequence number
	waiting []uint16 // closed streams not yet in a request

	req        []byte    // our request in flight (a RE-CONFIG chunk); nil: none
	reqSeq     uint32    // its sequence number
	reqStreams []uint16  // the streams it resets
	due        time.Time // when req goes out again

	lastResult wire.ReconfigResult // our answer to the peer's last request, for its retransmission
}

// init starts the sequence numbers at the initial TSNs (section 5.1.1).
func (rc *reconfig) init(localTSN, peerTSN uint32) {
	*rc = reconfig{nextSeq: localTSN, peerSeq: peerTSN}
}

// holds reports whether a new message on stream sid must wait: its reset
// is in flight, and until the peer answers it is not known whether the
// message's sequence number starts again at 0 (section 5.1.2).
func (rc *reconfig) holds(sid uint16) bool {
	return rc.req != nil && slices.Contains(rc.reqStreams, sid)
}

// resetOutgoing asks the peer to reset stream sid once everything sent on
// it so far has its TSN. Without RE-CONFIG at the peer, Close stays local.
// Runs on the loop.
func (a *Association) resetOutgoing(sid uint16) {
	if !a.peer.reconfig || a.state != stateEstablished || slices.Contains(a.reconf.waiting, sid) {
		return
	}
	a.reconf.waiting = append(a.reconf.waiting, sid)
}

// pumpReconfig sends the next request when none is in flight and no
// message of its streams waits for a TSN: the request names the last TSN
// assigned, after which the peer resets the streams (section 5.1.2).
func (a *Association) pumpReconfig(now time.Time) {
	rc := &a.reconf
	if rc.req != nil || len(rc.waiting) == 0 || a.state != stateEstablished || a.queuedOn(rc.waiting) {
		return
	}
	req := &wire.OutgoingSSNResetParam{ReqSeq: rc.nextSeq, RespSeq: rc.peerSeq - 1, LastTSN: a.tx.nextTSN - 1, Streams: rc.waiting}
	rc.req = (&wire.Reconfig{Params: wire.AppendParam(nil, req)}).Append(nil)
	rc.reqSeq, rc.reqStreams, rc.waiting = rc.nextSeq, rc.waiting, nil
	rc.nextSeq++
	a.sendReconfigRequest(now)
}

// queuedOn reports whether a message on one of streams waits to be cut
// into chunks, here or in the send queue.
func (a *Association) queuedOn(streams []uint16) bool {
	for m := range a.tx.queue.all() {
		if slices.Contains(streams, m.info.Stream) {
			return true
		}
	}
	a.sendq.mu.Lock()
	defer a.sendq.mu.Unlock()
	for _, m := range a.sendq.msgs {
		if slices.Contains(streams, m.info.Stream) {
			return true
		}
	}
	return false
}

// sendReconfigRequest sends the request in flight on the primary path and
// times it with that path's RTO.
func (a *Association) sendReconfigRequest(now time.Time) {
	a.queueCtrl(a.reconf.req, nil)
	a.reconf.due = now.Add(a.primary.rto.rto)
}

// onReconfigTimer sends the request in flight again. Like T3, the timeout
// backs the path's RTO off and counts as an error of the path and the
// association (RFC 6525 section 5.1.1), so a peer that never answers ends
// the association as one that never acknowledges data would.
func (a *Association) onReconfigTimer(now time.Time) {
	rc := &a.reconf
	rc.due = time.Time{}
	if rc.req == nil {
		return
	}
	a.primary.rto.backoff()
	a.pathError(now, a.primary)
	if a.state == stateClosed {
		return
	}
	a.sendReconfigRequest(now)
}

// handleReconfig processes a RE-CONFIG chunk: requests are answered in
// one RE-CONFIG chunk, responses settle our request.
func (a *Association) handleReconfig(now time.Time, c wire.Chunk) {
	var rcfg wire.Reconfig
	if rcfg.Decode(c) != nil {
		a.badChunk(c)
		return
	}
	var answers wire.Params
	it := rcfg.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		switch p.Type() {
		case wire.ParamOutgoingSSNReset:
			var req wire.OutgoingSSNResetParam
			if req.Decode(p) == nil {
				answers = a.answerRequest(answers, req.ReqSeq, func() wire.ReconfigResult { return a.performReset(req) })
			}
		case wire.ParamAddOutgoingStreams:
			var req wire.AddStreamsParam
			if req.Decode(p) == nil {
				answers = a.answerRequest(answers, req.ReqSeq, func() wire.ReconfigResult { return a.addIncoming(req.NewStreams) })
			}
		case wire.ParamReconfigResponse:
			var resp wire.ReconfigResponseParam
			if resp.Decode(p) == nil {
				a.settleRequest(now, resp)
			}
		case wire.ParamIncomingSSNReset, wire.ParamSSNTSNReset, wire.ParamAddIncomingStreams:
			answers = a.answerRequest(answers, requestSeq(p), func() wire.ReconfigResult { return wire.ResultDenied })
		}
	}
	if len(answers) > 0 {
		a.queueCtrl((&wire.Reconfig{Params: answers}).Append(nil), nil)
	}
}

// requestSeq is the request sequence number every request parameter
// starts with.
func requestSeq(p wire.Param) uint32 {
	v := p.Value()
	if len(v) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

// answerRequest applies the sequence number rules of section 5.2.1 to the
// peer's request seq and appends the answer: a retransmission of the last
// request gets the same answer, another wrong number Bad Sequence, the
// expected one what perform returns. In progress leaves the request for
// the peer to ask again.
func (a *Association) answerRequest(answers wire.Params, seq uint32, perform func() wire.ReconfigResult) wire.Params {
	rc := &a.reconf
	var result wire.ReconfigResult
	switch {
	case seq == rc.peerSeq-1:
		result = rc.lastResult
	case seq != rc.peerSeq:
		result = wire.ResultErrorBadSequence
	default:
		if result = perform(); result != wire.ResultInProgress {
			rc.peerSeq++
			rc.lastResult = result
		}
	}
	return wire.AppendParam(answers, &wire.ReconfigResponseParam{RespSeq: seq, Result: result})
}

// performReset carries out the peer's Outgoing SSN Reset Request (section
// 5.2.2) once everything up to its last TSN has arrived: the streams'
// incoming sequence numbers start again at 0 and their readers get io.EOF.
func (a *Association) performReset(req wire.OutgoingSSNResetParam) wire.ReconfigResult {
	if serial.Less32(a.rx.tsns.cum, req.LastTSN) {
		return wire.ResultInProgress
	}
	a.resetIncoming(req.Streams)
	return wire.ResultSuccessPerformed
}

// addIncoming takes n more streams from the peer (Add Outgoing Streams,
// section 5.2.5), as far as Config.MaxInStreams allows.
func (a *Association) addIncoming(n uint16) wire.ReconfigResult {
	r := a.rx.reasm
	if n == 0 || len(r.streams)+int(n) > int(a.cfg.MaxInStreams) {
		return wire.ResultDenied
	}
	r.streams = append(r.streams, make([]inStream, n)...)
	return wire.ResultSuccessPerformed
}

// resetIncoming restarts the sequence numbers of streams (all if empty) and
// ends their readers: an open Stream reads io.EOF after what it holds, and
// later messages on the stream go to RecvMsg again, or to a new stream
// for AcceptStream. Messages completed earlier in the packet are
// delivered first, so that they come before the end; those waiting for
// RecvMsg on a stream with no Stream yet are marked, so that the Stream
// that takes them later ends after them too.
func (a *Association) resetIncoming(streams []uint16) {
	a.deliverReady()
	a.recvq.markStreamEnds(streams)
	r := a.rx.reasm
	if len(streams) == 0 {
		for sid := range r.streams {
			streams = append(streams, uint16(sid))
		}
	}
	a.stats.StreamResetsReceived += uint64(len(streams))
	for _, sid := range streams {
		if int(sid) < len(r.streams) {
			r.streams[sid].next = 0
		}
		if q := a.streamQs[sid]; q != nil {
			q.mu.Lock()
			q.eof = true
			q.ready.broadcast()
			q.mu.Unlock()
			delete(a.streamQs, sid)
		}
	}
}

// markStreamEnds marks the last message waiting in q of each of streams
// (all if empty) as the end of its stream.
func (q *recvQueue) markStreamEnds(streams []uint16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var marked map[uint16]bool
	for i := len(q.msgs) - 1; i >= q.head; i-- {
		m := &q.msgs[i]
		if marked[m.Stream] || (len(streams) > 0 && !slices.Contains(streams, m.Stream)) {
			continue
		}
		if marked == nil {
			marked = make(map[uint16]bool)
		}
		marked[m.Stream] = true
		m.streamEnd = true
	}
}

// settleRequest applies the peer's answer to our request in flight: on
// success the streams' outgoing sequence numbers start again at 0.
func (a *Association) settleRequest(now time.Time, resp wire.ReconfigResponseParam) {
	rc := &a.reconf
	if rc.req == nil || resp.RespSeq != rc.reqSeq {
		return
	}
	switch resp.Result {
	case wire.ResultInProgress:
		rc.due = now.Add(a.primary.rto.rto) // asked again when the timer fires
		return
	case wire.ResultSuccessPerformed, wire.ResultSuccessNothingToDo:
		a.stats.StreamResetsSent += uint64(len(rc.reqStreams))
		for _, sid := range rc.reqStreams {
			if int(sid) < len(a.tx.streams) {
				a.tx.streams[sid] = outStream{}
			}
		}
	default:
		a.log.Debugf("stream reset of %v refused: %v", rc.reqStreams, resp.Result)
	}
	rc.req, rc.reqStreams, rc.due = nil, nil, time.Time{}
	a.pumpReconfig(now)
}
