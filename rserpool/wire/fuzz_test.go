package wire

import (
	"bytes"
	"testing"
)

// The fuzzing contract, for messages and parameters alike: no input makes
// a decoder panic, and whatever decodes re-encodes to bytes that decode to
// an equal value and re-encode to the same bytes.

var newASAP = map[ASAPType]func() ASAPValue{
	ASAPRegistration:             func() ASAPValue { return new(Registration) },
	ASAPDeregistration:           func() ASAPValue { return new(Deregistration) },
	ASAPRegistrationResponse:     func() ASAPValue { return new(RegistrationResponse) },
	ASAPDeregistrationResponse:   func() ASAPValue { return new(DeregistrationResponse) },
	ASAPHandleResolution:         func() ASAPValue { return new(HandleResolution) },
	ASAPHandleResolutionResponse: func() ASAPValue { return new(HandleResolutionResponse) },
	ASAPEndpointKeepAlive:        func() ASAPValue { return new(EndpointKeepAlive) },
	ASAPEndpointKeepAliveAck:     func() ASAPValue { return new(EndpointKeepAliveAck) },
	ASAPEndpointUnreachable:      func() ASAPValue { return new(EndpointUnreachable) },
	ASAPServerAnnounce:           func() ASAPValue { return new(ServerAnnounce) },
	ASAPCookie:                   func() ASAPValue { return new(CookieMessage) },
	ASAPCookieEcho:               func() ASAPValue { return new(CookieEcho) },
	ASAPBusinessCard:             func() ASAPValue { return new(BusinessCard) },
	ASAPError:                    func() ASAPValue { return new(ASAPErrorMessage) },
}

var newENRP = map[ENRPType]func() ENRPValue{
	ENRPPresence:            func() ENRPValue { return new(Presence) },
	ENRPHandleTableRequest:  func() ENRPValue { return new(HandleTableRequest) },
	ENRPHandleTableResponse: func() ENRPValue { return new(HandleTableResponse) },
	ENRPHandleUpdate:        func() ENRPValue { return new(HandleUpdate) },
	ENRPListRequest:         func() ENRPValue { return new(ListRequest) },
	ENRPListResponse:        func() ENRPValue { return new(ListResponse) },
	ENRPInitTakeover:        func() ENRPValue { return new(InitTakeover) },
	ENRPInitTakeoverAck:     func() ENRPValue { return new(InitTakeoverAck) },
	ENRPTakeoverServer:      func() ENRPValue { return new(TakeoverServer) },
	ENRPError:               func() ENRPValue { return new(ENRPErrorMessage) },
}

var newParam = map[ParamType]func() paramValue{
	ParamDCCPTransport:          func() paramValue { return new(Transport) },
	ParamSCTPTransport:          func() paramValue { return new(Transport) },
	ParamTCPTransport:           func() paramValue { return new(Transport) },
	ParamUDPTransport:           func() paramValue { return new(Transport) },
	ParamUDPLiteTransport:       func() paramValue { return new(Transport) },
	ParamPolicy:                 func() paramValue { return new(Policy) },
	ParamPoolHandle:             func() paramValue { return new(PoolHandle) },
	ParamPoolElement:            func() paramValue { return new(PoolElement) },
	ParamServerInformation:      func() paramValue { return new(ServerInfo) },
	ParamOperationError:         func() paramValue { return new(OperationError) },
	ParamCookie:                 func() paramValue { return new(Cookie) },
	ParamPEIdentifier:           func() paramValue { return new(PEID) },
	ParamPEChecksum:             func() paramValue { return new(PEChecksum) },
	ParamHandleResolutionOption: func() paramValue { return new(ResolutionItems) },
}

func TestFuzzTablesComplete(t *testing.T) {
	for typ := ASAPType(0); typ < 0xff; typ++ {
		if _, ok := newASAP[typ]; ok != typ.Known() {
			t.Errorf("%s: constructor %v, known %v", typ, ok, typ.Known())
		}
	}
	for typ := ENRPType(0); typ < 0xff; typ++ {
		if _, ok := newENRP[typ]; ok != typ.Known() {
			t.Errorf("%s: constructor %v, known %v", typ, ok, typ.Known())
		}
	}
	for typ := ParamType(0); typ < 0xffff; typ++ {
		if _, ok := newParam[typ]; ok != (typ.Known() && typ != ParamIPv4Address && typ != ParamIPv6Address) {
			t.Errorf("%s: constructor %v, known %v", typ, ok, typ.Known())
		}
	}
}

func FuzzASAP(f *testing.F) {
	for _, tc := range asapGoldens() {
		f.Add(x(tc.golden))
	}
	f.Add(x(`05 00 00 0b 00 09 00 07 61 62 63`))                                  // length without the last padding
	f.Add(x(`07 00 00 18 01 02 03 04 ` + handleEcho + `00 0e 00 08 11 22 33 44`)) // RSPLIB Keep-Alive
	f.Add(x(`05 00 00 14 ` + handleEcho + `c0 40 00 08 00 00 00 01`))             // unknown parameter
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseASAP(in)
		if err != nil {
			return
		}
		drain(t, m.Params(), m.Unrecognized())
		mk, ok := newASAP[m.Type()]
		if !ok {
			return
		}
		v := mk()
		if m.Decode(v) != nil || ASAPLen(v) > 0xffff {
			return
		}
		out := AppendASAP(nil, v)
		if len(out) != ASAPLen(v) {
			t.Fatalf("ASAPLen = %d, AppendASAP wrote %d", ASAPLen(v), len(out))
		}
		m2, err := ParseASAP(out)
		if err != nil {
			t.Fatalf("re-encoded message does not parse: %v\n% x", err, out)
		}
		v2 := mk()
		if err := m2.Decode(v2); err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n% x", err, out)
		}
		checkRoundTrip(t, v, v2, out, AppendASAP(nil, v2))
	})
}

func FuzzENRP(f *testing.F) {
	for _, tc := range enrpGoldens() {
		f.Add(x(tc.golden))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseENRP(in)
		if err != nil {
			return
		}
		drain(t, m.Params(), m.Unrecognized())
		mk, ok := newENRP[m.Type()]
		if !ok {
			return
		}
		v := mk()
		if m.Decode(v) != nil || ENRPLen(v) > 0xffff {
			return
		}
		out := AppendENRP(nil, v)
		if len(out) != ENRPLen(v) {
			t.Fatalf("ENRPLen = %d, AppendENRP wrote %d", ENRPLen(v), len(out))
		}
		m2, err := ParseENRP(out)
		if err != nil {
			t.Fatalf("re-encoded message does not parse: %v\n% x", err, out)
		}
		v2 := mk()
		if err := m2.Decode(v2); err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n% x", err, out)
		}
		checkRoundTrip(t, v, v2, out, AppendENRP(nil, v2))
	})
}

func FuzzParams(f *testing.F) {
	for _, tc := range paramGoldens() {
		f.Add(x(tc.golden))
	}
	for _, tc := range policyGoldens() {
		f.Add(x(tc.golden))
	}
	f.Add(x(`00 08 00 0c 40 00 00 03 00 00 00 10`))             // RSPLIB Priority Least Used
	f.Add(x(`00 0c 00 0e 00 01 00 0a 80 44 00 06 ab cd 00 00`)) // cause without its padding
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParseParam(in)
		if err != nil {
			return
		}
		mk, ok := newParam[p.Type()]
		if !ok {
			return
		}
		v := mk()
		if v.Decode(p) != nil || ParamLen(v) > 0xffff {
			return
		}
		out := AppendParam(nil, v)
		if len(out) != ParamLen(v) {
			t.Fatalf("ParamLen = %d, AppendParam wrote %d", ParamLen(v), len(out))
		}
		p2, err := ParseParam(out)
		if err != nil {
			t.Fatalf("re-encoded parameter does not parse: %v\n% x", err, out)
		}
		v2 := mk()
		if err := v2.Decode(p2); err != nil {
			t.Fatalf("re-encoded parameter does not decode: %v\n% x", err, out)
		}
		checkRoundTrip(t, v, v2, out, AppendParam(nil, v2))
	})
}

// drain walks the views of a message to their end; they must not panic.
func drain(t *testing.T, ps Params, un UnrecognizedIter) {
	it := ps.Iter()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	for p, ok := un.Next(); ok; p, ok = un.Next() {
		if p.Type().Known() {
			t.Fatalf("Unrecognized returned a %s parameter", p.Type())
		}
	}
}

func checkRoundTrip(t *testing.T, v, v2 any, out, again []byte) {
	t.Helper()
	if !equalValues(v, v2) {
		t.Fatalf("round trip changed the value:\n got %+v\nwant %+v", v2, v)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("second encoding differs:\n got % x\nwant % x", again, out)
	}
}
