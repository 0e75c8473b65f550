package addip

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Result is the outcome of one request, from the ASCONF-ACK.
type Result struct {
	Op            Op
	Addr          netip.Addr // as queued; the wildcard stays the wildcard
	CorrelationID uint32
	OK            bool
	// Implicit is set when the ASCONF-ACK held no response for the
	// request and OK follows from the rules of RFC 5061 section 5.1.
	Implicit bool
	// Causes are the peer's reasons for a failure reported with an Error
	// Cause Indication, copied out of the packet.
	Causes wire.Causes
}

// Acked is what an ASCONF-ACK told us.
type Acked struct {
	// Results has one entry per request of the ASCONF, in order. The
	// loop acts on them: it stops using a deleted address only once its
	// Delete IP Address succeeded, and never uses an address whose Add
	// IP Address failed; after "Operation Refused Due to Resource
	// Shortage" for an Add it may also abort (RFC 5061 section 5.3).
	Results []Result
	// Dest is where the ASCONF was last sent: the loop clears its error
	// counter and the association's (RFC 5061 section 5.1 A5).
	Dest netip.Addr
}

// HandleAck processes an authenticated ASCONF-ACK. ok is false when it
// acknowledges an older ASCONF and is ignored. An ASCONF-ACK for a serial
// number we have not sent yet returns an error wrapping [ErrIllegalAck]
// (RFC 5061 section 5.3 F0). One that matches the last ASCONF in flight
// stops T4-RTO and frees the way for [Sender.Next]; one for an ASCONF
// that [Sender.Resend] bundled successors behind leaves those in flight.
func (s *Sender) HandleAck(ack *wire.AsconfAck) (a Acked, ok bool, err error) {
	if serial.LessEq32(s.next, ack.Serial) {
		return Acked{}, false, fmt.Errorf("%w: serial %d, next to send %d", ErrIllegalAck, ack.Serial, s.next)
	}
	f := s.flight
	i := -1
	if f != nil {
		i = slices.IndexFunc(f.sent, func(x sentAsconf) bool { return x.chunk.Serial == ack.Serial })
	}
	if i < 0 {
		return Acked{}, false, nil
	}
	// The peer processes ASCONFs in serial order (RFC 5061 section 5.2
	// E1), so this one was applied after those bundled ahead of it; their
	// ASCONF-ACKs travel in the same packet ahead of this one (section
	// 5.1.1 C3) and were lost with it only if the peer split them. Their
	// requests count as implicitly successful.
	var res []Result
	for _, earlier := range f.sent[:i] {
		res = append(res, implicitSuccess(earlier.reqs)...)
	}
	res = append(res, results(f.sent[i].reqs, ack.Params)...)
	f.sent = f.sent[i+1:]
	if len(f.sent) == 0 {
		s.flight = nil
	}
	s.disableUnrecognized(res)
	return Acked{Results: res, Dest: f.to.Dest}, true, nil
}

// implicitSuccess reports reqs as implicitly successful.
func implicitSuccess(reqs []request) []Result {
	out := make([]Result, len(reqs))
	for i, q := range reqs {
		out[i] = Result{Op: q.op, Addr: q.addr, CorrelationID: q.id, OK: true, Implicit: true}
	}
	return out
}

// results matches the responses to the requests by correlation ID. A
// request without a response succeeded if no earlier request failed; after
// a failure, only an explicit Success Indication counts (RFC 5061
// section 5.1). A response to an unknown correlation ID, or a second one
// for a request, is ignored.
func results(reqs []request, ps wire.Params) []Result {
	out := make([]Result, len(reqs))
	answered := make([]bool, len(reqs))
	firstFailure := len(reqs)
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		r, known := parseResponse(p)
		if !known {
			if p.Type().Action().Stop() {
				break
			}
			continue
		}
		i := find(reqs, answered, r.CorrelationID)
		if i < 0 {
			continue
		}
		answered[i] = true
		out[i] = r
		if !r.OK {
			firstFailure = min(firstFailure, i)
		}
	}
	for i, q := range reqs {
		if !answered[i] {
			out[i] = Result{OK: i < firstFailure, Implicit: true}
		}
		out[i].Op, out[i].Addr, out[i].CorrelationID = q.op, q.addr, q.id
	}
	return out
}

// find returns the index of the unanswered request with correlation ID id,
// or -1.
func find(reqs []request, answered []bool, id uint32) int {
	for i, q := range reqs {
		if q.id == id && !answered[i] {
			return i
		}
	}
	return -1
}

// parseResponse reads a Success Indication or an Error Cause Indication;
// known is false for anything else, including a malformed Success
// Indication. An Error Cause Indication whose causes do not parse still
// reports a failure, without causes.
func parseResponse(p wire.Param) (r Result, known bool) {
	switch p.Type() {
	case wire.ParamSuccessIndication:
		var si wire.SuccessIndicationParam
		if si.Decode(p) != nil {
			return Result{}, false
		}
		return Result{CorrelationID: si.CorrelationID, OK: true}, true
	case wire.ParamErrorCauseIndication:
		var ei wire.ErrorCauseIndicationParam
		if ei.Decode(p) == nil {
			return Result{CorrelationID: ei.CorrelationID, Causes: bytes.Clone(ei.Causes)}, true
		}
		if len(p) >= requestHeaderLen {
			return Result{CorrelationID: binary.BigEndian.Uint32(p[4:])}, true
		}
	}
	return Result{}, false
}

// disableUnrecognized stops further requests of a kind the peer reported
// as an unrecognized parameter.
func (s *Sender) disableUnrecognized(res []Result) {
	for _, r := range res {
		it := r.Causes.Iter()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Code() == wire.CauseUnrecognizedParams {
				s.disabled[r.Op] = true
			}
		}
	}
}
