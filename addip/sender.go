package addip

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Sender is our side of RFC 5061: it turns queued requests into ASCONF
// chunks, one in flight at a time, retransmits on T4-RTO and matches the
// ASCONF-ACK. The zero value is not usable; call [NewSender].
type Sender struct {
	next     uint32 // serial of the next new ASCONF
	corr     uint32 // last correlation ID handed out
	queue    []request
	flight   *flight
	disabled [SetPrimary + 1]bool // kinds the peer did not recognize
}

// request is one queued or sent request.
type request struct {
	op   Op
	id   uint32
	addr netip.Addr
}

// param returns the parameter that carries r.
func (r request) param() *wire.AddressRequestParam {
	return &wire.AddressRequestParam{Type: r.op.paramType(), CorrelationID: r.id, Address: r.addr}
}

// flight is what awaits its ASCONF-ACK: one ASCONF, or after [Sender.Resend]
// that ASCONF followed by successors with the next serial numbers, always
// sent together in one packet.
type flight struct {
	sent     []sentAsconf // in serial order
	to       Path
	deadline time.Time
	errors   int
}

// sentAsconf is one ASCONF of the flight and the requests it carries.
type sentAsconf struct {
	chunk wire.Asconf
	reqs  []request
}

// chunks returns the flight's ASCONFs, for the caller to send in order.
func (f *flight) chunks() []*wire.Asconf {
	out := make([]*wire.Asconf, len(f.sent))
	for i := range f.sent {
		out[i] = &f.sent[i].chunk
	}
	return out
}

// Retransmit is what to resend after T4-RTO expired (RFC 5061 section 5.1
// B1-B5).
type Retransmit struct {
	// Chunks are the ASCONFs in flight, unchanged, serials included: one,
	// or more after Resend bundled successors. Send them in this order in
	// one packet behind one AUTH chunk, and do not modify them.
	Chunks []*wire.Asconf
	Failed netip.Addr // the destination that timed out
	To     Path       // where to resend it, as picked by the caller
	Errors int        // T4-RTO expiries of this ASCONF so far
}

// NewSender returns a Sender whose first ASCONF carries our initial TSN as
// its serial number (RFC 5061 section 5.1 A2).
func NewSender(initialTSN uint32) *Sender { return &Sender{next: initialTSN} }

// Queue adds a request for the peer and returns its correlation ID, which
// its [Result] carries. The wildcard address (0.0.0.0 or ::) stands for
// the source address of the packet that carries the ASCONF (RFC 5061
// sections 4.2.1, 4.2.2 and 4.2.4). Requests queued while an ASCONF is in
// flight go into the next one.
func (s *Sender) Queue(op Op, addr netip.Addr) (uint32, error) {
	if op < AddIP || op > SetPrimary {
		return 0, fmt.Errorf("addip: invalid request kind %d", op)
	}
	if !addr.IsValid() {
		return 0, ErrInvalidAddress
	}
	if s.disabled[op] {
		return 0, fmt.Errorf("%w: %s", ErrUnsupported, op)
	}
	s.corr++
	s.queue = append(s.queue, request{op: op, id: s.corr, addr: addr.WithZone("")})
	return s.corr, nil
}

// Ready reports whether Next would build an ASCONF: none is in flight and
// requests are queued. It lets the caller skip choosing a source and a
// path on every flush.
func (s *Sender) Ready() bool { return s.flight == nil && len(s.queue) > 0 }

// Next returns a new ASCONF for the loop to send (behind an AUTH chunk) to
// to.Dest, and starts T4-RTO with to.RTO (RFC 5061 section 5.1 A1-A4). It
// returns nil when an ASCONF is already in flight (section 5.1.1 C1) or
// nothing is queued. src is one of our addresses for the chunk's Address
// Parameter. The chunk takes the queued requests in order while its
// length (wire.Asconf.Len) stays within budget, what the path MTU leaves
// after the headers and the AUTH chunk; the rest wait for the next
// ASCONF. The chunk must not be modified.
func (s *Sender) Next(now time.Time, src netip.Addr, budget int, to Path) (*wire.Asconf, error) {
	if s.flight != nil || len(s.queue) == 0 {
		return nil, nil
	}
	if !src.IsValid() {
		return nil, ErrInvalidAddress
	}
	sent, ok := s.take(src, budget)
	if !ok {
		return nil, ErrBudget
	}
	s.flight = &flight{sent: []sentAsconf{sent}, to: to, deadline: now.Add(to.RTO)}
	return &s.flight.sent[0].chunk, nil
}

// take builds the ASCONF with the next serial from the queued requests
// that fit budget, and removes them from the queue; ok is false when not
// even one fits.
func (s *Sender) take(src netip.Addr, budget int) (sentAsconf, bool) {
	c := wire.Asconf{Serial: s.next, Address: src}
	n := s.bundle(&c, budget)
	if n == 0 {
		return sentAsconf{}, false
	}
	reqs := slices.Clone(s.queue[:n])
	s.queue = slices.Delete(s.queue, 0, n)
	s.next++
	return sentAsconf{chunk: c, reqs: reqs}, true
}

// bundle adds queued requests to c, in order, while c.Len() stays within
// budget, and returns how many it added.
func (s *Sender) bundle(c *wire.Asconf, budget int) int {
	for i, r := range s.queue {
		grown := wire.Asconf{Address: c.Address, Params: wire.AppendParam(c.Params, r.param())}
		if grown.Len() > budget {
			return i
		}
		c.Params = grown.Params
	}
	return len(s.queue)
}

// Deadline returns when T4-RTO expires; ok is false when no ASCONF is in
// flight. The loop folds it into its one timer.
func (s *Sender) Deadline() (t time.Time, ok bool) {
	if s.flight == nil {
		return time.Time{}, false
	}
	return s.flight.deadline, true
}

// Expire handles T4-RTO at now; ok is false when it has not expired. It
// calls pick once with the destination that timed out. pick must count an
// error against that destination and the association and double the
// destination's RTO (RFC 5061 section 5.1 B1-B3), then return where to
// resend: another destination when there is one (B4), with its current
// RTO, which restarts T4-RTO (B5). The loop resends Retransmit.Chunk
// unchanged.
func (s *Sender) Expire(now time.Time, pick func(failed netip.Addr) Path) (r Retransmit, ok bool) {
	f := s.flight
	if f == nil || now.Before(f.deadline) {
		return Retransmit{}, false
	}
	failed := f.to.Dest
	f.errors++
	f.to = pick(failed)
	f.deadline = now.Add(f.to.RTO)
	return Retransmit{Chunks: f.chunks(), Failed: failed, To: f.to, Errors: f.errors}, true
}
