package addip

import (
	"errors"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestAckSerialMatching(t *testing.T) {
	itsn := uint32(100)
	oneAcked := func(t *testing.T, s *Sender) {
		c := send(t, s, queued{AddIP, addrB})
		s.HandleAck(&wire.AsconfAck{Serial: c.Serial})
	}
	cases := []struct {
		name    string
		setup   func(*testing.T, *Sender)
		serial  uint32
		matched bool
		illegal bool
	}{
		{"matching", func(t *testing.T, s *Sender) { send(t, s, queued{AddIP, addrB}) }, itsn, true, false},
		{"older ignored", func(t *testing.T, s *Sender) { oneAcked(t, s); send(t, s, queued{AddIP, addrC}) }, itsn, false, false},
		{"far older ignored", func(t *testing.T, s *Sender) { send(t, s, queued{AddIP, addrB}) }, itsn - 1000, false, false},
		{"duplicate of an acked one ignored", oneAcked, itsn, false, false},
		{"never sent: next serial", func(t *testing.T, s *Sender) { send(t, s, queued{AddIP, addrB}) }, itsn + 1, false, true},
		{"never sent: 2^31 ahead", func(t *testing.T, s *Sender) { send(t, s, queued{AddIP, addrB}) }, itsn + 1<<31, false, true},
		{"2^31+1 ahead reads as older", func(t *testing.T, s *Sender) { send(t, s, queued{AddIP, addrB}) }, itsn + 1<<31 + 1, false, false},
		{"nothing sent: initial TSN", func(*testing.T, *Sender) {}, itsn, false, true},
		{"nothing sent: initial TSN - 1", func(*testing.T, *Sender) {}, itsn - 1, false, false},
		{"nothing outstanding: next serial", oneAcked, itsn + 1, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSender(itsn)
			tc.setup(t, s)
			_, flying := s.Deadline()
			_, ok, err := s.HandleAck(&wire.AsconfAck{Serial: tc.serial})
			if ok != tc.matched || errors.Is(err, ErrIllegalAck) != tc.illegal {
				t.Fatalf("HandleAck(%d) = %v, %v; want matched %v, illegal %v", tc.serial, ok, err, tc.matched, tc.illegal)
			}
			if _, still := s.Deadline(); !ok && still != flying {
				t.Error("an ignored ASCONF-ACK changed what is in flight")
			}
		})
	}
}

// eci is an Error Cause Indication with one cause.
func eci(id uint32, c wire.CauseValue) wire.ParamValue {
	return &wire.ErrorCauseIndicationParam{CorrelationID: id, Causes: wire.AppendCause(nil, c)}
}

func refused(code wire.CauseCode) wire.CauseValue {
	return &wire.AsconfCause{Code: code, Request: wire.Param(wire.AppendParam(nil, req(DeleteIP, 2, addrB)))}
}

// firstCode returns the code of the first cause, or zero.
func firstCode(cs wire.Causes) wire.CauseCode {
	it := cs.Iter()
	if c, ok := it.Next(); ok {
		return c.Code()
	}
	return 0
}

func success(id uint32) wire.ParamValue { return &wire.SuccessIndicationParam{CorrelationID: id} }

func TestAckResults(t *testing.T) {
	// Requests 1-4: Add A, Delete B, Set Primary C, Add D.
	type want struct {
		ok, implicit bool
		code         wire.CauseCode
	}
	ok, okImplicit := want{ok: true}, want{ok: true, implicit: true}
	failImplicit := want{implicit: true}
	lastAddr := want{code: wire.CauseDeleteLastAddress}
	cases := []struct {
		name string
		ack  wire.Params
		want []want
	}{
		{"empty: all implicit successes", nil, []want{okImplicit, okImplicit, okImplicit, okImplicit}},
		{"explicit successes", params(success(1), success(2), success(3), success(4)), []want{ok, ok, ok, ok}},
		{"failure: earlier succeed, later fail", params(eci(2, refused(wire.CauseDeleteLastAddress))),
			[]want{okImplicit, lastAddr, failImplicit, failImplicit}},
		{"failure then explicit success", params(eci(2, refused(wire.CauseDeleteLastAddress)), success(4)),
			[]want{okImplicit, lastAddr, failImplicit, ok}},
		{"out of order", params(success(4), eci(2, refused(wire.CauseDeleteLastAddress))),
			[]want{okImplicit, lastAddr, failImplicit, ok}},
		{"first fails", params(eci(1, refused(wire.CauseResourceShortage))),
			[]want{{code: wire.CauseResourceShortage}, failImplicit, failImplicit, failImplicit}},
		{"unknown correlation ID ignored", params(eci(99, refused(wire.CauseNoAuthorization))),
			[]want{okImplicit, okImplicit, okImplicit, okImplicit}},
		{"second response for a request ignored", params(eci(2, refused(wire.CauseDeleteSourceAddress)), success(2)),
			[]want{okImplicit, {code: wire.CauseDeleteSourceAddress}, failImplicit, failImplicit}},
		{"malformed causes still fail", params(&wire.RawParam{Type: wire.ParamErrorCauseIndication, Value: []byte{0, 0, 0, 3, 0, 0xA0, 0, 2}}),
			[]want{okImplicit, okImplicit, {}, failImplicit}},
		{"malformed success ignored", params(&wire.RawParam{Type: wire.ParamSuccessIndication, Value: []byte{0, 0, 0, 1, 0, 0, 0, 0}}),
			[]want{okImplicit, okImplicit, okImplicit, okImplicit}},
		{"unknown skip parameter passed over", params(&wire.RawParam{Type: 0xC0FF, Value: []byte{0, 0, 0, 2}}, eci(3, refused(wire.CauseNoAuthorization))),
			[]want{okImplicit, okImplicit, {code: wire.CauseNoAuthorization}, failImplicit}},
		{"unknown stop parameter ends the list", params(&wire.RawParam{Type: 0x3FFF}, eci(3, refused(wire.CauseNoAuthorization))),
			[]want{okImplicit, okImplicit, okImplicit, okImplicit}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSender(5)
			c := send(t, s, queued{AddIP, addrA}, queued{DeleteIP, addrB}, queued{SetPrimary, addrC}, queued{AddIP, addrD})
			acked, matched, err := s.HandleAck(&wire.AsconfAck{Serial: c.Serial, Params: tc.ack})
			if !matched || err != nil {
				t.Fatalf("HandleAck = %v, %v", matched, err)
			}
			reqs := requestsOf(t, c)
			for i, w := range tc.want {
				r := acked.Results[i]
				if r.CorrelationID != reqs[i].CorrelationID || r.Addr != reqs[i].Address || r.Op.paramType() != reqs[i].Type {
					t.Errorf("result %d is for %s %s #%d, want request %+v", i, r.Op, r.Addr, r.CorrelationID, reqs[i])
				}
				if code := firstCode(r.Causes); r.OK != w.ok || r.Implicit != w.implicit || code != w.code {
					t.Errorf("result %d: ok %v implicit %v cause %v; want %v %v %v", i, r.OK, r.Implicit, code, w.ok, w.implicit, w.code)
				}
			}
		})
	}
}

func TestAckCausesAreCopied(t *testing.T) {
	s := NewSender(5)
	c := send(t, s, queued{DeleteIP, addrB})
	buf := params(eci(1, refused(wire.CauseDeleteLastAddress)))
	acked, _, _ := s.HandleAck(&wire.AsconfAck{Serial: c.Serial, Params: buf})
	clear(buf)
	if firstCode(acked.Results[0].Causes) != wire.CauseDeleteLastAddress {
		t.Fatal("Result.Causes aliases the received packet")
	}
}

func TestAckUnrecognizedDisablesKind(t *testing.T) {
	s := NewSender(5)
	c := send(t, s, queued{SetPrimary, addrB})
	unknown := &wire.UnrecognizedParamsCause{Params: wire.Params(wire.AppendParam(nil, req(SetPrimary, 1, addrB)))}
	s.HandleAck(&wire.AsconfAck{Serial: c.Serial, Params: params(eci(1, unknown))})
	if _, err := s.Queue(SetPrimary, addrC); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Queue(Set Primary) after Unrecognized Parameters = %v, want ErrUnsupported", err)
	}
	if _, err := s.Queue(AddIP, addrC); err != nil {
		t.Errorf("Queue(Add IP) = %v; only Set Primary was refused", err)
	}
}
