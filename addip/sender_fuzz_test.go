package addip

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// FuzzSender drives a Sender through random sequences of Queue, Next,
// Resend, Expire and ASCONF-ACKs for any serial. It must never panic, new
// ASCONFs carry consecutive serial numbers, a retransmission resends
// exactly what is in flight from its oldest serial on, an ASCONF-ACK is
// illegal exactly when its serial was never sent, and every request that
// left in an ASCONF gets one Result, once.
func FuzzSender(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 4, 0})
	f.Add([]byte{0, 0, 1, 0, 0, 2, 5, 3, 2, 4, 4})
	f.Add([]byte{0, 1, 0, 2, 3, 0, 2, 4, 16, 4, 1})
	f.Fuzz(func(t *testing.T, script []byte) {
		const first = 0xFFFFFFF0 // serials wrap during a run
		s := NewSender(first)
		fz := &senderFuzz{t: t, s: s, now: t0, next: first, sent: map[uint32]bool{}, answered: map[uint32]bool{}}
		for i := 0; i+1 < len(script) && i < 400; i += 2 {
			fz.step(script[i], script[i+1])
		}
		if len(fz.flight) > 0 {
			fz.ack(fz.flight[len(fz.flight)-1])
		}
		for id := range fz.sent {
			if !fz.answered[id] {
				t.Fatalf("request %d was sent but never answered", id)
			}
		}
	})
}

// senderFuzz is the model the fuzzer checks the Sender against.
type senderFuzz struct {
	t        *testing.T
	s        *Sender
	now      time.Time
	next     uint32          // serial of the next new ASCONF
	flight   []uint32        // serials in flight, oldest first
	sent     map[uint32]bool // correlation IDs that left in an ASCONF
	answered map[uint32]bool // correlation IDs with a Result
}

var fuzzAddrs = []netip.Addr{addrA, addrB, addrC, addrD, addr6}

func (fz *senderFuzz) step(op, arg byte) {
	path := Path{Dest: fuzzAddrs[int(arg)%len(fuzzAddrs)], RTO: time.Duration(arg%8+1) * 100 * time.Millisecond}
	budget := 20 + int(arg)*4
	switch op % 6 {
	case 0:
		_, _ = fz.s.Queue(Op(arg%3)+AddIP, fuzzAddrs[int(arg/3)%len(fuzzAddrs)])
	case 1:
		c, err := fz.s.Next(fz.now, local1, budget, path)
		if err == nil && c != nil {
			fz.fresh(c)
			fz.flight = append(fz.flight, c.Serial)
		}
	case 2:
		cs, fresh, err := fz.s.Resend(fz.now, local1, budget, path)
		if err != nil || cs == nil {
			return
		}
		for i, c := range cs[:len(cs)-fresh] {
			if c.Serial != fz.flight[i] {
				fz.t.Fatalf("resent serial %d at %d, in flight %v", c.Serial, i, fz.flight)
			}
		}
		for _, c := range cs[len(cs)-fresh:] {
			fz.fresh(c)
			fz.flight = append(fz.flight, c.Serial)
		}
	case 3:
		r, ok := fz.s.Expire(fz.now.Add(time.Hour), func(netip.Addr) Path { return path })
		if ok && len(r.Chunks) != len(fz.flight) {
			fz.t.Fatalf("T4-RTO resends %d ASCONFs, %d in flight", len(r.Chunks), len(fz.flight))
		}
	case 4:
		fz.ack(fz.next - 3 + uint32(arg%6))
	case 5:
		fz.now = fz.now.Add(time.Duration(arg) * 10 * time.Millisecond)
	}
}

// fresh checks a new ASCONF: the next serial, and requests not sent before.
func (fz *senderFuzz) fresh(c *wire.Asconf) {
	if c.Serial != fz.next {
		fz.t.Fatalf("new ASCONF with serial %d, want %d", c.Serial, fz.next)
	}
	fz.next++
	it := c.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		var r wire.AddressRequestParam
		if err := r.Decode(p); err != nil {
			fz.t.Fatalf("request in our ASCONF: %v", err)
		}
		if fz.sent[r.CorrelationID] {
			fz.t.Fatalf("request %d sent in two ASCONFs", r.CorrelationID)
		}
		fz.sent[r.CorrelationID] = true
	}
}

// ack hands the Sender an empty ASCONF-ACK for serial sn.
func (fz *senderFuzz) ack(sn uint32) {
	a, ok, err := fz.s.HandleAck(&wire.AsconfAck{Serial: sn})
	if illegal := serial.LessEq32(fz.next, sn); (err != nil) != illegal {
		fz.t.Fatalf("ASCONF-ACK %d (next %d): error %v", sn, fz.next, err)
	}
	i := -1
	for k, x := range fz.flight {
		if x == sn {
			i = k
		}
	}
	if ok != (i >= 0) {
		fz.t.Fatalf("ASCONF-ACK %d taken %v, in flight %v", sn, ok, fz.flight)
	}
	if !ok {
		return
	}
	fz.flight = fz.flight[i+1:]
	for _, r := range a.Results {
		if !fz.sent[r.CorrelationID] || fz.answered[r.CorrelationID] {
			fz.t.Fatalf("result for request %d: sent %v, answered before %v", r.CorrelationID, fz.sent[r.CorrelationID], fz.answered[r.CorrelationID])
		}
		fz.answered[r.CorrelationID] = true
	}
	if _, running := fz.s.Deadline(); running != (len(fz.flight) > 0) {
		fz.t.Fatalf("T4-RTO running %v with %v in flight", running, fz.flight)
	}
}
