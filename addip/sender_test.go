package addip

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

var t0 = time.Unix(1_000_000, 0)

// queued is a request to queue in a test.
type queued struct {
	op   Op
	addr netip.Addr
}

// send queues reqs and returns the ASCONF that Next builds with a large
// budget, toward addrA with a one-second RTO.
func send(t *testing.T, s *Sender, reqs ...queued) *wire.Asconf {
	t.Helper()
	for _, r := range reqs {
		if _, err := s.Queue(r.op, r.addr); err != nil {
			t.Fatalf("Queue(%s, %s): %v", r.op, r.addr, err)
		}
	}
	c, err := s.Next(t0, local1, 1500, Path{Dest: addrA, RTO: time.Second})
	if err != nil || c == nil {
		t.Fatalf("Next = %v, %v; want an ASCONF", c, err)
	}
	return c
}

// requestsOf decodes the requests of an ASCONF after a wire round trip.
func requestsOf(t *testing.T, c *wire.Asconf) []wire.AddressRequestParam {
	t.Helper()
	ch, err := wire.ParseChunk(c.Append(nil))
	if err != nil {
		t.Fatal(err)
	}
	var dec wire.Asconf
	if err := dec.Decode(ch); err != nil {
		t.Fatalf("decoding our ASCONF: %v", err)
	}
	var out []wire.AddressRequestParam
	it := dec.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		var r wire.AddressRequestParam
		if err := r.Decode(p); err != nil {
			t.Fatalf("decoding our request: %v", err)
		}
		out = append(out, r)
	}
	return out
}

func TestSenderSerialStartsAtInitialTSN(t *testing.T) {
	for _, itsn := range []uint32{1000, 0xFFFFFFFE} {
		s := NewSender(itsn)
		for i := range uint32(3) {
			c := send(t, s, queued{AddIP, addrB})
			if c.Serial != itsn+i {
				t.Fatalf("ASCONF %d: serial %d, want %d", i, c.Serial, itsn+i)
			}
			if c.Address != local1 {
				t.Fatalf("Address Parameter %s, want %s", c.Address, local1)
			}
			if _, ok, err := s.HandleAck(&wire.AsconfAck{Serial: c.Serial}); !ok || err != nil {
				t.Fatalf("HandleAck(%d) = %v, %v", c.Serial, ok, err)
			}
		}
	}
}

func TestSenderOneInFlightBundlesQueued(t *testing.T) {
	s := NewSender(7)
	first := send(t, s, queued{AddIP, addrB})
	idC, _ := s.Queue(DeleteIP, addrC)
	idD, _ := s.Queue(SetPrimary, any4)
	if c, err := s.Next(t0, local1, 1500, Path{Dest: addrA, RTO: time.Second}); c != nil || err != nil {
		t.Fatalf("Next with an ASCONF in flight = %v, %v; want nothing", c, err)
	}
	if _, ok, _ := s.HandleAck(&wire.AsconfAck{Serial: first.Serial}); !ok {
		t.Fatal("ASCONF-ACK not matched")
	}
	second := send(t, s)
	got := requestsOf(t, second)
	want := []wire.AddressRequestParam{*req(DeleteIP, idC, addrC), *req(SetPrimary, idD, any4)}
	if len(got) != len(want) {
		t.Fatalf("second ASCONF has %d requests, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if c, _ := s.Next(t0, local1, 1500, Path{Dest: addrA, RTO: time.Second}); c != nil {
		t.Fatal("Next built a third ASCONF with nothing queued and one in flight")
	}
}

func TestSenderBudget(t *testing.T) {
	// Header and IPv4 Address Parameter: 16 bytes. Requests: 16 bytes
	// for IPv4, 28 for IPv6.
	cases := []struct {
		name   string
		reqs   []netip.Addr
		budget int
		want   []int // requests per ASCONF
		err    error
	}{
		{"header only fits", []netip.Addr{addrB}, 16, nil, ErrBudget},
		{"one byte short", []netip.Addr{addrB}, 31, nil, ErrBudget},
		{"exactly one", []netip.Addr{addrB, addrC}, 32, []int{1, 1}, nil},
		{"two", []netip.Addr{addrB, addrC, addrD}, 48, []int{2, 1}, nil},
		{"IPv6 then IPv4", []netip.Addr{addr6, addrB}, 44, []int{1, 1}, nil},
		{"in order, no skipping ahead", []netip.Addr{addrB, addr6, addrC, addrD}, 60, []int{2, 2}, nil},
		{"all", []netip.Addr{addrB, addr6, addrC}, 1500, []int{3}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSender(1)
			for _, a := range tc.reqs {
				s.Queue(AddIP, a)
			}
			var next int
			for i, n := range tc.want {
				c, err := s.Next(t0, local1, tc.budget, Path{Dest: addrA, RTO: time.Second})
				if err != nil || c == nil {
					t.Fatalf("ASCONF %d: %v, %v", i, c, err)
				}
				if c.Len() > tc.budget {
					t.Errorf("ASCONF %d is %d bytes, budget %d", i, c.Len(), tc.budget)
				}
				for j, r := range requestsOf(t, c) {
					if r.Address != tc.reqs[next+j] {
						t.Errorf("ASCONF %d request %d: %s, want %s", i, j, r.Address, tc.reqs[next+j])
					}
				}
				if got := len(requestsOf(t, c)); got != n {
					t.Fatalf("ASCONF %d carries %d requests, want %d", i, got, n)
				}
				next += n
				s.HandleAck(&wire.AsconfAck{Serial: c.Serial})
			}
			c, err := s.Next(t0, local1, tc.budget, Path{Dest: addrA, RTO: time.Second})
			if !errors.Is(err, tc.err) || c != nil {
				t.Fatalf("final Next = %v, %v; want nil, %v", c, err, tc.err)
			}
		})
	}
}

func TestSenderQueueErrors(t *testing.T) {
	s := NewSender(1)
	for _, op := range []Op{0, SetPrimary + 1} {
		if _, err := s.Queue(op, addrB); err == nil {
			t.Errorf("Queue(%d) accepted an invalid kind", op)
		}
	}
	if _, err := s.Queue(AddIP, netip.Addr{}); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("Queue(zero address) = %v, want ErrInvalidAddress", err)
	}
	s.Queue(AddIP, addrB)
	if _, err := s.Next(t0, netip.Addr{}, 1500, Path{}); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("Next(zero source) = %v, want ErrInvalidAddress", err)
	}
	if id1, _ := s.Queue(AddIP, addrC); id1 == 1 {
		t.Error("correlation IDs repeat")
	}
}

func TestSenderT4Retransmission(t *testing.T) {
	s := NewSender(50)
	if _, ok := s.Deadline(); ok {
		t.Fatal("deadline with nothing in flight")
	}
	first := send(t, s, queued{AddIP, addrB}) // sent at t0 to addrA, RTO 1s
	orig := first.Append(nil)
	steps := []struct {
		at       time.Duration
		due      bool
		failed   netip.Addr
		to       Path
		errors   int
		deadline time.Duration
	}{
		{at: 999 * time.Millisecond, deadline: time.Second},
		{at: time.Second, due: true, failed: addrA, to: Path{addrB, 3 * time.Second}, errors: 1, deadline: 4 * time.Second},
		{at: 3999 * time.Millisecond, deadline: 4 * time.Second},
		{at: 4 * time.Second, due: true, failed: addrB, to: Path{addrA, 2 * time.Second}, errors: 2, deadline: 6 * time.Second},
		{at: 6500 * time.Millisecond, due: true, failed: addrA, to: Path{addrA, 4 * time.Second}, errors: 3, deadline: 10500 * time.Millisecond},
	}
	for i, st := range steps {
		var picked []netip.Addr
		r, ok := s.Expire(t0.Add(st.at), func(failed netip.Addr) Path {
			picked = append(picked, failed)
			return st.to
		})
		if ok != st.due {
			t.Fatalf("step %d at %v: expired %v, want %v", i, st.at, ok, st.due)
		}
		if st.due {
			if len(picked) != 1 || picked[0] != st.failed || r.Failed != st.failed {
				t.Errorf("step %d: pick called with %v, Failed %s; want %s once", i, picked, r.Failed, st.failed)
			}
			if r.Errors != st.errors || r.To != st.to {
				t.Errorf("step %d: Errors %d To %+v, want %d %+v", i, r.Errors, r.To, st.errors, st.to)
			}
			if len(r.Chunks) != 1 || !bytes.Equal(r.Chunks[0].Append(nil), orig) {
				t.Errorf("step %d: the retransmission differs from the ASCONF first sent", i)
			}
		} else if len(picked) != 0 {
			t.Errorf("step %d: pick called before the deadline", i)
		}
		if d, _ := s.Deadline(); !d.Equal(t0.Add(st.deadline)) {
			t.Errorf("step %d: deadline %v, want t0+%v", i, d.Sub(t0), st.deadline)
		}
	}
	acked, ok, err := s.HandleAck(&wire.AsconfAck{Serial: first.Serial})
	if !ok || err != nil || acked.Dest != addrA {
		t.Fatalf("HandleAck = %+v, %v, %v; want Dest %s", acked, ok, err, addrA)
	}
	if _, ok := s.Deadline(); ok {
		t.Error("T4-RTO still running after the ASCONF-ACK")
	}
	if _, ok := s.Expire(t0.Add(time.Hour), func(netip.Addr) Path { t.Error("pick called"); return Path{} }); ok {
		t.Error("expired with nothing in flight")
	}
}

// Ready says exactly when Next builds an ASCONF: requests queued and none
// in flight.
func TestSenderReady(t *testing.T) {
	s := NewSender(1)
	if s.Ready() {
		t.Fatal("Ready with nothing queued")
	}
	if _, err := s.Queue(AddIP, addrB); err != nil {
		t.Fatal(err)
	}
	if !s.Ready() {
		t.Fatal("not Ready with a request queued and nothing in flight")
	}
	c := send(t, s)
	if _, err := s.Queue(DeleteIP, addrC); err != nil {
		t.Fatal(err)
	}
	if s.Ready() {
		t.Fatal("Ready with an ASCONF in flight")
	}
	if _, ok, _ := s.HandleAck(&wire.AsconfAck{Serial: c.Serial}); !ok {
		t.Fatal("ASCONF-ACK not matched")
	}
	if !s.Ready() {
		t.Fatal("not Ready once the ASCONF was acknowledged with a request queued")
	}
}
