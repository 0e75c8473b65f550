package addip

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// resendPair sends an ASCONF adding addrB, queues addrC's Add and Set
// Primary, and resends at t0+100ms toward addrD: the original and a
// successor in one go.
func resendPair(t *testing.T, s *Sender) (first *wire.Asconf, orig []byte, out []*wire.Asconf) {
	t.Helper()
	first = send(t, s, queued{AddIP, addrB})
	orig = first.Append(nil)
	for _, q := range []queued{{AddIP, addrC}, {SetPrimary, addrC}} {
		if _, err := s.Queue(q.op, q.addr); err != nil {
			t.Fatal(err)
		}
	}
	out, fresh, err := s.Resend(t0.Add(100*time.Millisecond), local1, 1500, Path{Dest: addrD, RTO: 3 * time.Second})
	if err != nil || len(out) != 2 || fresh != 1 {
		t.Fatalf("Resend = %d chunks, %v; want the ASCONF in flight and a successor", len(out), err)
	}
	return first, orig, out
}

// TestSenderResendBundlesSuccessor checks the rule of Resend: the ASCONF
// in flight goes again byte for byte (RFC 5061 section 5.1 B4), the queued
// requests follow in a new ASCONF with the next serial (B4, section 5.1.1
// C2), and T4-RTO restarts with the new path's RTO without an error.
func TestSenderResendBundlesSuccessor(t *testing.T) {
	s := NewSender(41)
	first, orig, out := resendPair(t, s)
	if !bytes.Equal(out[0].Append(nil), orig) {
		t.Error("the resent ASCONF differs from the one first sent")
	}
	if out[1].Serial != first.Serial+1 || out[1].Address != local1 {
		t.Errorf("successor serial %d, Address %v; want %d, %v", out[1].Serial, out[1].Address, first.Serial+1, local1)
	}
	got := requestsOf(t, out[1])
	if len(got) != 2 || got[0].Type != wire.ParamAddIP || got[0].Address != addrC || got[1].Type != wire.ParamSetPrimary {
		t.Errorf("successor requests %+v, want Add IP and Set Primary of %v", got, addrC)
	}
	if d, _ := s.Deadline(); !d.Equal(t0.Add(3100 * time.Millisecond)) {
		t.Errorf("T4-RTO deadline t0+%v, want t0+3.1s", d.Sub(t0))
	}
	if c, _ := s.Next(t0, local1, 1500, Path{Dest: addrA, RTO: time.Second}); c != nil {
		t.Error("Next sent a third ASCONF while two are in flight")
	}
	r, ok := s.Expire(t0.Add(4*time.Second), func(netip.Addr) Path { return Path{Dest: addrA, RTO: time.Second} })
	if !ok || r.Errors != 1 || r.Failed != addrD || len(r.Chunks) != 2 || r.Chunks[1].Serial != first.Serial+1 {
		t.Errorf("Expire = %+v, %v; want both ASCONFs again, one error, failed %v", r, ok, addrD)
	}
}

// TestSenderResendAcks checks the ASCONF-ACKs after Resend: one for the
// first ASCONF leaves the successor in flight; one for the successor alone
// answers both, the first implicitly.
func TestSenderResendAcks(t *testing.T) {
	t.Run("in order", func(t *testing.T) {
		s := NewSender(41)
		first, _, _ := resendPair(t, s)
		a, ok, err := s.HandleAck(&wire.AsconfAck{Serial: first.Serial})
		if !ok || err != nil || len(a.Results) != 1 || a.Results[0].Addr != addrB {
			t.Fatalf("first ASCONF-ACK: %+v, %v, %v", a, ok, err)
		}
		if _, running := s.Deadline(); !running {
			t.Fatal("T4-RTO stopped with the successor unacknowledged")
		}
		a, ok, err = s.HandleAck(&wire.AsconfAck{Serial: first.Serial + 1})
		if !ok || err != nil || len(a.Results) != 2 || a.Results[0].Addr != addrC || !a.Results[0].OK {
			t.Fatalf("second ASCONF-ACK: %+v, %v, %v", a, ok, err)
		}
		if _, running := s.Deadline(); running {
			t.Error("T4-RTO still running")
		}
	})
	t.Run("successor only", func(t *testing.T) {
		s := NewSender(41)
		first, _, _ := resendPair(t, s)
		a, ok, err := s.HandleAck(&wire.AsconfAck{Serial: first.Serial + 1})
		if !ok || err != nil || len(a.Results) != 3 {
			t.Fatalf("ASCONF-ACK: %+v, %v, %v", a, ok, err)
		}
		if r := a.Results[0]; r.Addr != addrB || !r.OK || !r.Implicit {
			t.Errorf("first request %+v, want an implicit success for %v", r, addrB)
		}
		if _, running := s.Deadline(); running {
			t.Error("T4-RTO still running")
		}
		if _, _, err := s.HandleAck(&wire.AsconfAck{Serial: first.Serial + 2}); err == nil {
			t.Error("an ASCONF-ACK beyond the successor is not illegal")
		}
	})
}

// TestSenderResendPeerSees runs the resent pair through a Receiver, once
// when the peer had processed the first ASCONF (its ASCONF-ACK was lost)
// and once when the first never arrived: either way the peer applies each
// request exactly once, in order, and answers both serials.
func TestSenderResendPeerSees(t *testing.T) {
	for _, seen := range []bool{false, true} {
		s := NewSender(41)
		rx := NewReceiver(41)
		peer := newFakePeer(addrA)
		first, _, out := resendPair(t, s)
		if seen {
			rx.Handle(decodeOwn(t, first), Packet{Source: addrA, First: true}, peer)
		}
		var acks [][]byte
		for i, c := range out {
			b, v := rx.Handle(decodeOwn(t, c), Packet{Source: local1, First: i == 0}, peer)
			if b == nil {
				t.Fatalf("seen=%v: ASCONF %d not answered (%v)", seen, c.Serial, v)
			}
			acks = append(acks, b)
		}
		if want := []netip.Addr{addrA, addrB, addrC}; !slices.Equal(peer.addrs, want) || peer.primary != addrC {
			t.Errorf("seen=%v: peer addresses %v primary %v, want %v primary %v", seen, peer.addrs, peer.primary, want, addrC)
		}
		for _, b := range acks {
			ch, err := wire.ParseChunk(b)
			if err != nil {
				t.Fatal(err)
			}
			var ack wire.AsconfAck
			if err := ack.Decode(ch); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := s.HandleAck(&ack); !ok || err != nil {
				t.Errorf("seen=%v: ASCONF-ACK %d: %v %v", seen, ack.Serial, ok, err)
			}
		}
		if _, running := s.Deadline(); running {
			t.Errorf("seen=%v: still in flight", seen)
		}
	}
}

// TestSenderResendNothingInFlight: Resend leaves the queue to Next.
func TestSenderResendNothingInFlight(t *testing.T) {
	s := NewSender(1)
	if _, err := s.Queue(AddIP, addrB); err != nil {
		t.Fatal(err)
	}
	if out, _, err := s.Resend(t0, local1, 1500, Path{Dest: addrA, RTO: time.Second}); out != nil || err != nil {
		t.Fatalf("Resend = %v, %v; want nothing", out, err)
	}
	if got := s.Adding(); !slices.Equal(got, []netip.Addr{addrB}) {
		t.Errorf("Adding = %v, want %v", got, addrB)
	}
	send(t, s)
	if _, err := s.Queue(DeleteIP, addrA); err != nil {
		t.Fatal(err)
	}
	if got := s.Adding(); !slices.Equal(got, []netip.Addr{addrB}) {
		t.Errorf("Adding with the Add in flight = %v, want %v", got, addrB)
	}
}

// TestSenderResendBudget: the successor takes only what fits beside the
// ASCONF in flight; the rest waits.
func TestSenderResendBudget(t *testing.T) {
	s := NewSender(1)
	first := send(t, s, queued{AddIP, addrB})
	for _, a := range []netip.Addr{addrC, addrD} {
		if _, err := s.Queue(AddIP, a); err != nil {
			t.Fatal(err)
		}
	}
	one := wire.Asconf{Address: local1, Params: wire.AppendParam(nil, (request{op: AddIP, addr: addrC}).param())}
	out, _, err := s.Resend(t0, local1, first.Len()+one.Len(), Path{Dest: addrA, RTO: time.Second})
	if err != nil || len(out) != 2 || len(requestsOf(t, out[1])) != 1 {
		t.Fatalf("Resend = %d chunks, %v; want the first and a successor with one request", len(out), err)
	}
	if _, _, err := s.Resend(t0, local1, first.Len()-1, Path{Dest: addrA, RTO: time.Second}); err != ErrBudget {
		t.Errorf("Resend within too small a budget: %v, want ErrBudget", err)
	}
}

// decodeOwn passes an ASCONF we built through the wire codec, as the peer
// would see it.
func decodeOwn(t *testing.T, c *wire.Asconf) *wire.Asconf {
	t.Helper()
	ch, err := wire.ParseChunk(c.Append(nil))
	if err != nil {
		t.Fatal(err)
	}
	var dec wire.Asconf
	if err := dec.Decode(ch); err != nil {
		t.Fatal(err)
	}
	return &dec
}
