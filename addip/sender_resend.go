package addip

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Resend sends what is in flight again at once, before T4-RTO, to to.Dest,
// with the requests queued meanwhile in a successor ASCONF bundled after
// it. The loop calls it when a new local address appeared while an ASCONF
// was outstanding: that ASCONF left from an address that may be gone, and
// waiting for T4-RTO (which backs off to a minute) would leave the peer
// without our new address for as long.
//
// The serial-number rules of RFC 5061 stay as they are: the ASCONF in
// flight goes again unchanged, serial included, because a retransmission
// must not gain new parameters (section 5.1 B4), and the queued requests
// go in a new ASCONF with the next serial number, which B4 lets the sender
// bundle with the retransmission. The chunks travel in serial order in one
// packet behind one AUTH chunk (section 5.1.1 C2). A peer that already
// processed the first answers it from its cache (section 5.2 E2) and
// processes the successor as the next serial (E4); one that never saw it
// processes both in order. Linux and usrsctp both accept ASCONFs bundled
// so (usrsctp keeps the ASCONF-ACKs of a packet together, Linux a list of
// them). The successors join the flight: T4-RTO covers them together and
// a timeout resends them all.
//
// src is the successor's Address Parameter (one of our addresses the peer
// knows). Resend restarts T4-RTO with to.RTO without counting an error:
// nothing timed out. It returns the chunks to send in order and how many
// of them, at the end, are new; nil when nothing is in flight (then
// [Sender.Next] sends what is queued), or ErrBudget when the flight alone
// exceeds budget.
func (s *Sender) Resend(now time.Time, src netip.Addr, budget int, to Path) (chunks []*wire.Asconf, fresh int, err error) {
	f := s.flight
	if f == nil {
		return nil, 0, nil
	}
	used := 0
	for _, x := range f.sent {
		used += x.chunk.Len()
	}
	if used > budget {
		return nil, 0, ErrBudget
	}
	if len(s.queue) > 0 && src.IsValid() {
		if next, ok := s.take(src, budget-used); ok {
			f.sent = append(f.sent, next)
			fresh = 1
		}
	}
	f.to = to
	f.deadline = now.Add(to.RTO)
	return f.chunks(), fresh, nil
}

// Adding lists the addresses of the Add IP Address requests queued or in
// flight: the peer will know them once it has processed what we send, in
// order.
func (s *Sender) Adding() []netip.Addr {
	var out []netip.Addr
	add := func(reqs []request) {
		for _, r := range reqs {
			if r.op == AddIP && !slices.Contains(out, r.addr) {
				out = append(out, r.addr)
			}
		}
	}
	if s.flight != nil {
		for _, x := range s.flight.sent {
			add(x.reqs)
		}
	}
	add(s.queue)
	return out
}
