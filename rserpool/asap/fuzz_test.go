package asap

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// FuzzSessionControl feeds arbitrary bytes to what handles ASAP from the
// network on the pool user's side: a session's control handler and the
// decoding of registrar answers. Nothing may panic, and a control message
// that decodes must survive re-encoding.
func FuzzSessionControl(f *testing.F) {
	el := wire.PoolElement{ID: 7, RegLife: 1000, Policy: wire.Policy{Type: wire.PolicyRoundRobin},
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7000, Addrs: []netip.Addr{pe1Addr}}}
	for _, v := range []wire.ASAPValue{
		&wire.CookieMessage{Cookie: []byte("echoed=17")},
		&wire.CookieEcho{Cookie: []byte("echoed=17")},
		&wire.BusinessCard{Handle: echoHandle, Elements: []wire.PoolElement{el}},
		&wire.HandleResolutionResponse{Handle: echoHandle, Policy: el.Policy, Elements: []wire.PoolElement{el}},
		&wire.RegistrationResponse{Reject: true, Handle: echoHandle, PEID: 7,
			Error: wire.OperationError{Causes: []wire.Cause{{Code: wire.CauseInconsistentPolicy}}}},
		&wire.ASAPErrorMessage{Error: wire.OperationError{Causes: []wire.Cause{{Code: wire.CauseUnrecognizedMessage}}}},
	} {
		f.Add(wire.AppendASAP(nil, v))
	}
	f.Add([]byte{0x0b, 0, 0, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		s := &Session{}
		s.control(b)
		if !bytes.Equal(in, b) {
			t.Fatal("control changed its input")
		}
		if m, err := parseControl(b); err == nil {
			checkControlRoundTrip(t, m)
		}
		if m, err := wire.ParseASAP(b); err == nil {
			poolHandleOf(m)
		}
		decodeAnswer(b, wire.ASAPRegistration, &wire.RegistrationResponse{})
		decodeAnswer(b, wire.ASAPHandleResolution, &wire.HandleResolutionResponse{})
	})
}

// checkControlRoundTrip encodes m again and checks that it decodes the same.
func checkControlRoundTrip(t *testing.T, m Message) {
	var v wire.ASAPValue
	switch m.Type {
	case MessageCookie:
		v = &wire.CookieMessage{Cookie: m.Data}
	case MessageCookieEcho:
		v = &wire.CookieEcho{Cookie: m.Data}
	case MessageBusinessCard:
		v = &m.Card
	}
	again, err := parseControl(wire.AppendASAP(nil, v))
	if err != nil || again.Type != m.Type || !bytes.Equal(again.Data, m.Data) || len(again.Card.Elements) != len(m.Card.Elements) {
		t.Fatalf("%v did not survive re-encoding: %+v, %v", m.Type, again, err)
	}
}

// FuzzAnnounce feeds arbitrary datagrams to an announce listener: nothing
// may panic, each is counted once, and a registrar it keeps is one that
// can be dialled.
func FuzzAnnounce(f *testing.F) {
	f.Add(announce(1, netip.MustParseAddrPort("127.0.0.2:3863")))
	f.Add(wire.AppendASAP(nil, &wire.ServerAnnounce{ServerID: 2}))
	f.Add(wire.AppendASAP(nil, &wire.EndpointUnreachable{Handle: echoHandle, PEID: 1}))
	f.Add([]byte{byte(wire.ASAPServerAnnounce), 0, 0, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		a := &Announces{cfg: AnnounceConfig{}.withDefaults()}
		a.handle(b, loopback4, time.Now())
		if s := a.Stats(); s.Announces+s.Malformed+s.Ignored != 1 {
			t.Fatalf("counted %+v, want one datagram", s)
		}
		for _, r := range a.Registrars() {
			if len(r.Addrs) == 0 || r.Port == 0 || slices.ContainsFunc(r.Addrs, netip.Addr.IsUnspecified) {
				t.Fatalf("kept %+v", r)
			}
		}
	})
}
