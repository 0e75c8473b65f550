package wire

import (
	"bytes"
	"net/netip"
	"testing"
)

// decodeChunk parses in as one chunk and decodes it as T, or returns nil.
func decodeChunk[T any, P chunkPtr[T]](in []byte) P {
	c, err := ParseChunk(in)
	if err != nil {
		return nil
	}
	var d T
	if P(&d).Decode(c) != nil {
		return nil
	}
	return &d
}

// fuzzStable backs up fuzzRoundTrip for chunks holding a netip.Addr, which
// equalValues cannot look into: a decoded chunk re-encodes to bytes that
// decode and re-encode to the same bytes.
func fuzzStable[T any, P chunkPtr[T]](t *testing.T, in []byte) {
	d := decodeChunk[T, P](in)
	if d == nil {
		return
	}
	out := d.Append(nil)
	d2 := decodeChunk[T, P](out)
	if d2 == nil || !bytes.Equal(d2.Append(nil), out) {
		t.Fatalf("re-encoding is not stable:\n% x", out)
	}
}

// fuzzParamRoundTrip is fuzzRoundTrip for a typed parameter: if p decodes
// as T, the value re-encodes to one parameter that decodes to an equal
// value and re-encodes to the same bytes. It returns the decoded value, or
// nil.
func fuzzParamRoundTrip[T any, P paramPtr[T]](t *testing.T, p Param) P {
	var d T
	if P(&d).Decode(p) != nil {
		return nil
	}
	out := AppendParam(nil, P(&d))
	p2, err := ParseParam(out)
	if err != nil || len(p2) != len(out) {
		t.Fatalf("re-encoded parameter does not parse: %v\n% x", err, out)
	}
	var d2 T
	if err := P(&d2).Decode(p2); err != nil {
		t.Fatalf("re-encoded parameter does not decode: %v\n% x", err, out)
	}
	if !equalValues(&d, &d2) || !bytes.Equal(AppendParam(nil, P(&d2)), out) {
		t.Fatalf("round trip changed the parameter:\n got %+v\nwant %+v", &d2, &d)
	}
	return &d
}

// fuzzCauseRoundTrip is fuzzParamRoundTrip for error causes.
func fuzzCauseRoundTrip[T any, P causePtr[T]](t *testing.T, c Cause) {
	var d T
	if P(&d).Decode(c) != nil {
		return
	}
	out := AppendCause(nil, P(&d))
	c2, err := ParseCause(out)
	if err != nil || len(c2) != len(out) {
		t.Fatalf("re-encoded cause does not parse: %v\n% x", err, out)
	}
	var d2 T
	if err := P(&d2).Decode(c2); err != nil {
		t.Fatalf("re-encoded cause does not decode: %v\n% x", err, out)
	}
	if !equalValues(&d, &d2) || !bytes.Equal(AppendCause(nil, P(&d2)), out) {
		t.Fatalf("round trip changed the cause:\n got %+v\nwant %+v", &d2, &d)
	}
}

// fuzzParams walks a list that its chunk decoder validated, so the walk
// must end cleanly, and round-trips every parameter of a type declared in
// the extension files.
func fuzzParams(t *testing.T, ps Params) {
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		fuzzParam(t, p)
	}
	if it.Err() != nil {
		t.Fatalf("a validated list fails to iterate: %v\n% x", it.Err(), ps)
	}
}

func fuzzParam(t *testing.T, p Param) {
	switch p.Type() {
	case ParamAddIP, ParamDeleteIP, ParamSetPrimary:
		fuzzParamRoundTrip[AddressRequestParam](t, p)
	case ParamErrorCauseIndication:
		if e := fuzzParamRoundTrip[ErrorCauseIndicationParam](t, p); e != nil {
			fuzzCauses(t, e.Causes)
		}
	case ParamSuccessIndication:
		fuzzParamRoundTrip[SuccessIndicationParam](t, p)
	case ParamAdaptationLayer:
		fuzzParamRoundTrip[AdaptationLayerParam](t, p)
	case ParamSupportedExtensions:
		fuzzParamRoundTrip[SupportedExtensionsParam](t, p)
	case ParamRandom:
		fuzzParamRoundTrip[RandomParam](t, p)
	case ParamChunks:
		fuzzParamRoundTrip[ChunkListParam](t, p)
	case ParamHMACAlgo:
		fuzzParamRoundTrip[HMACAlgoParam](t, p)
	case ParamForwardTSNSupported:
		fuzzParamRoundTrip[ForwardTSNSupportedParam](t, p)
	case ParamPad:
		fuzzParamRoundTrip[PadParam](t, p)
	case ParamZeroChecksumAcceptable:
		fuzzParamRoundTrip[ZeroChecksumAcceptableParam](t, p)
	case ParamOutgoingSSNReset:
		fuzzParamRoundTrip[OutgoingSSNResetParam](t, p)
	case ParamIncomingSSNReset:
		fuzzParamRoundTrip[IncomingSSNResetParam](t, p)
	case ParamSSNTSNReset:
		fuzzParamRoundTrip[SSNTSNResetParam](t, p)
	case ParamReconfigResponse:
		fuzzParamRoundTrip[ReconfigResponseParam](t, p)
	case ParamAddOutgoingStreams, ParamAddIncomingStreams:
		fuzzParamRoundTrip[AddStreamsParam](t, p)
	}
}

func fuzzCauses(t *testing.T, cs Causes) {
	it := cs.Iter()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch code := c.Code(); {
		case code >= CauseDeleteLastAddress && code <= CauseNoAuthorization:
			fuzzCauseRoundTrip[AsconfCause](t, c)
		case code == CauseUnsupportedHMACIdentifier:
			fuzzCauseRoundTrip[UnsupportedHMACCause](t, c)
		}
	}
	if it.Err() != nil {
		t.Fatalf("a validated cause list fails to iterate: %v\n% x", it.Err(), cs)
	}
}

// seedParamValues adds each value, as a one-parameter list, to a fuzz corpus.
func seedParamValues(f *testing.F, vs ...ParamValue) {
	for _, v := range vs {
		f.Add([]byte(AppendParam(nil, v)))
	}
}

func FuzzAsconf(f *testing.F) {
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	var reqs Params
	reqs = AppendParam(reqs, &AddressRequestParam{Type: ParamAddIP, CorrelationID: 1, Address: v6})
	reqs = AppendParam(reqs, &AddressRequestParam{Type: ParamDeleteIP, CorrelationID: 2, Address: netip.IPv4Unspecified()})
	reqs = AppendParam(reqs, &AddressRequestParam{Type: ParamSetPrimary, CorrelationID: 3, Address: v4})
	reqs = AppendParam(reqs, &RawParam{Type: 0xC123, Value: []byte{1}})
	var causes Causes
	causes = AppendCause(causes, &AsconfCause{Code: CauseDeleteLastAddress, Request: Param(AppendParam(nil, &AddressRequestParam{Type: ParamDeleteIP, Address: v4}))})
	causes = AppendCause(causes, &AsconfCause{Code: CauseIllegalAsconfAck})
	var resps Params
	resps = AppendParam(resps, &SuccessIndicationParam{CorrelationID: 1})
	resps = AppendParam(resps, &ErrorCauseIndicationParam{CorrelationID: 2, Causes: causes})
	seedChunks(f,
		&Asconf{Serial: 1, Address: v4, Params: reqs},
		&Asconf{Serial: 2, Address: netip.IPv6Unspecified()},
		&AsconfAck{Serial: 1, Params: resps},
		&AsconfAck{Serial: 2})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Asconf](t, in)
		fuzzStable[Asconf](t, in)
		fuzzRoundTrip[AsconfAck](t, in)
		if a := decodeChunk[Asconf](in); a != nil {
			fuzzParams(t, a.Params)
		}
		if a := decodeChunk[AsconfAck](in); a != nil {
			fuzzParams(t, a.Params)
		}
	})
}

func FuzzAuth(f *testing.F) {
	seedChunks(f,
		&Auth{KeyID: 1, HMACID: HMACSHA1, HMAC: make([]byte, 20)},
		&Auth{KeyID: 2, HMACID: HMACSHA256, HMAC: make([]byte, 32)})
	seedParamValues(f,
		&RandomParam{Number: make([]byte, 32)},
		&ChunkListParam{Types: []ChunkType{TypeAsconf, TypeAsconfAck}},
		&HMACAlgoParam{IDs: []HMACID{HMACSHA256, HMACSHA1}})
	f.Add([]byte(AppendCause(nil, &UnsupportedHMACCause{ID: 2})))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Auth](t, in)
		if a := decodeChunk[Auth](in); a != nil {
			if mac, err := AuthHMAC(in); err != nil || string(mac) != string(a.HMAC) {
				t.Fatalf("AuthHMAC = % x, %v; Decode gave % x", mac, err, a.HMAC)
			}
		}
		Packet(in).AuthCovers(TypeAsconf)
		if Params(in).Validate(0) == nil {
			fuzzParams(t, Params(in))
		}
		if Causes(in).Validate(0) == nil {
			fuzzCauses(t, Causes(in))
		}
	})
}

func FuzzForwardTSN(f *testing.F) {
	seedChunks(f,
		&ForwardTSN{NewCumTSN: 5, Streams: []StreamSSN{{1, 2}, {3, 4}}},
		&IForwardTSN{NewCumTSN: 6, Streams: []StreamMID{{Stream: 1, Unordered: true, MID: 9}}})
	seedParamValues(f, &ForwardTSNSupportedParam{})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[ForwardTSN](t, in)
		fuzzRoundTrip[IForwardTSN](t, in)
		if p, err := ParseParam(in); err == nil {
			fuzzParamRoundTrip[ForwardTSNSupportedParam](t, p)
		}
	})
}

func FuzzIData(f *testing.F) {
	seedChunks(f,
		&IData{Flags: FlagBegin, TSN: 1, Stream: 2, MID: 3, PPID: 4, Payload: []byte("first")},
		&IData{Flags: FlagEnd | FlagUnordered, TSN: 2, MID: 3, FSN: 1, Payload: []byte("last")})
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRoundTrip[IData](t, in) })
}

func FuzzReconfig(f *testing.F) {
	var ps Params
	ps = AppendParam(ps, &OutgoingSSNResetParam{ReqSeq: 1, LastTSN: 9, Streams: []uint16{1, 2, 3}})
	ps = AppendParam(ps, &IncomingSSNResetParam{ReqSeq: 2, Streams: []uint16{4}})
	var rs Params
	rs = AppendParam(rs, &ReconfigResponseParam{RespSeq: 1, Result: ResultSuccessPerformed, HasTSNs: true, SenderNextTSN: 5, ReceiverNextTSN: 6})
	rs = AppendParam(rs, &AddStreamsParam{Type: ParamAddIncomingStreams, ReqSeq: 3, NewStreams: 2})
	seedChunks(f,
		&Reconfig{Params: ps},
		&Reconfig{Params: rs},
		&Reconfig{Params: AppendParam(nil, &SSNTSNResetParam{ReqSeq: 4})})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Reconfig](t, in)
		if r := decodeChunk[Reconfig](in); r != nil {
			fuzzParams(t, r.Params)
		}
	})
}

func FuzzPad(f *testing.F) {
	seedChunks(f, &Pad{Padding: make([]byte, 7)})
	seedParamValues(f, &PadParam{Padding: make([]byte, 3)}, &ZeroChecksumAcceptableParam{Method: EDMIDSCTPOverDTLS})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Pad](t, in)
		if Params(in).Validate(0) == nil {
			fuzzParams(t, Params(in))
		}
	})
}
