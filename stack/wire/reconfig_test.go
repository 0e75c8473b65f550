package wire

import "testing"

func TestReconfigGolden(t *testing.T) {
	outgoing := hexb(0, 13, 0, 22, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x64, 0, 1, 0, 2, 0, 3)
	incoming := hexb(0, 14, 0, 10, 0, 0, 0, 2, 0, 4)
	response := hexb(0, 16, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0x20, 0)
	cases := []struct {
		name   string
		v      Reconfig
		golden []byte
	}{
		// The first parameter's padding is inside the chunk length; the
		// last one's is not (RFC 9260 section 3.2).
		{"outgoing and incoming reset", Reconfig{Params: joinBytes(outgoing, hexb(0, 0), incoming)},
			joinBytes(hexb(0x82, 0, 0, 38), outgoing, hexb(0, 0), incoming, hexb(0, 0))},
		{"one response", Reconfig{Params: response}, joinBytes(hexb(0x82, 0, 0, 24), response)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

func TestReconfigMalformed(t *testing.T) {
	ssnTSN := hexb(0, 15, 0, 8, 0, 0, 0, 1)
	checkMalformed[Reconfig](t, hexb(0x82, 0, 0, 4), "RE-CONFIG chunk", 0)
	checkMalformed[Reconfig](t, joinBytes(hexb(0x82, 0, 0, 28), ssnTSN, ssnTSN, ssnTSN), "RE-CONFIG parameter", 20)
	checkMalformed[Reconfig](t, hexb(0x82, 0, 0, 8, 0, 15, 0, 12), "parameter length", 6)
	checkMalformed[Reconfig](t, joinBytes(hexb(0x82, 0, 0, 14), ssnTSN, hexb(0, 15)), "parameter header", 12)
}

func TestReconfigParamsGolden(t *testing.T) {
	cases := []struct {
		name   string
		check  func(*testing.T, []byte)
		golden []byte
	}{
		{"outgoing, all streams", paramCase(&OutgoingSSNResetParam{ReqSeq: 0x10, RespSeq: 0x20, LastTSN: 0x30}),
			hexb(0, 13, 0, 16, 0, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30)},
		{"outgoing, one stream", paramCase(&OutgoingSSNResetParam{ReqSeq: 1, RespSeq: 2, LastTSN: 3, Streams: []uint16{5}}),
			hexb(0, 13, 0, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 5)},
		{"incoming, two streams", paramCase(&IncomingSSNResetParam{ReqSeq: 7, Streams: []uint16{1, 0xFFFF}}),
			hexb(0, 14, 0, 12, 0, 0, 0, 7, 0, 1, 0xFF, 0xFF)},
		{"incoming, all streams", paramCase(&IncomingSSNResetParam{ReqSeq: 8}), hexb(0, 14, 0, 8, 0, 0, 0, 8)},
		{"SSN/TSN reset", paramCase(&SSNTSNResetParam{ReqSeq: 9}), hexb(0, 15, 0, 8, 0, 0, 0, 9)},
		{"response without TSNs", paramCase(&ReconfigResponseParam{RespSeq: 3, Result: ResultDenied}),
			hexb(0, 16, 0, 12, 0, 0, 0, 3, 0, 0, 0, 2)},
		{"response with TSNs", paramCase(&ReconfigResponseParam{RespSeq: 4, Result: ResultSuccessPerformed, HasTSNs: true, SenderNextTSN: 0x1000, ReceiverNextTSN: 0x2000}),
			hexb(0, 16, 0, 20, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0x20, 0)},
		{"add outgoing streams", paramCase(&AddStreamsParam{Type: ParamAddOutgoingStreams, ReqSeq: 11, NewStreams: 16}),
			hexb(0, 17, 0, 12, 0, 0, 0, 11, 0, 16, 0, 0)},
		{"add incoming streams", paramCase(&AddStreamsParam{Type: ParamAddIncomingStreams, ReqSeq: 12, NewStreams: 0xFFFF}),
			hexb(0, 18, 0, 12, 0, 0, 0, 12, 0xFF, 0xFF, 0, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.golden) })
	}
}

// paramCase adapts checkParam to a table of mixed parameter types.
func paramCase[T any, P paramPtr[T]](v P) func(*testing.T, []byte) {
	return func(t *testing.T, golden []byte) { t.Helper(); checkParam(t, v, golden) }
}

func TestReconfigParamsMalformed(t *testing.T) {
	checkParamMalformed[OutgoingSSNResetParam](t, hexb(0, 13, 0, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9), "Outgoing SSN Reset Request length", 2)
	checkParamMalformed[OutgoingSSNResetParam](t, hexb(0, 13, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2), "Outgoing SSN Reset Request value", 4)
	checkParamMalformed[IncomingSSNResetParam](t, hexb(0, 14, 0, 9, 0, 0, 0, 1, 9), "Incoming SSN Reset Request length", 2)
	checkParamMalformed[SSNTSNResetParam](t, hexb(0, 15, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1), "SSN/TSN Reset Request length", 2)
	checkParamMalformed[ReconfigResponseParam](t, hexb(0, 16, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1), "Re-configuration Response length", 2)
	checkParamMalformed[ReconfigResponseParam](t, hexb(0, 16, 0, 8, 0, 0, 0, 1), "Re-configuration Response value", 4)
	checkParamMalformed[AddStreamsParam](t, hexb(0, 15, 0, 12, 0, 0, 0, 1, 0, 1, 0, 0), "parameter type", 0)
	checkParamMalformed[AddStreamsParam](t, hexb(0, 17, 0, 10, 0, 0, 0, 1, 0, 1), "Add Outgoing Streams Request value", 4)
	checkParamMalformed[AddStreamsParam](t, hexb(0, 18, 0, 16, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0), "Add Incoming Streams Request length", 2)
}

func TestAddStreamsIgnoresReserved(t *testing.T) {
	var a AddStreamsParam
	if err := a.Decode(Param(hexb(0, 17, 0, 12, 0, 0, 0, 1, 0, 2, 0xFF, 0xFF))); err != nil || a.NewStreams != 2 {
		t.Errorf("Decode = %v, %+v", err, a)
	}
}

func TestReconfigResultString(t *testing.T) {
	if s := ResultErrorBadSequence.String(); s != "Error - Bad Sequence Number" {
		t.Errorf("String() = %q", s)
	}
	if s := ReconfigResult(7).String(); s != "result 7" {
		t.Errorf("String() = %q", s)
	}
}

func TestStreamResetReusesSlices(t *testing.T) {
	out := Param(hexb(0, 13, 0, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 5))
	in := Param(hexb(0, 14, 0, 12, 0, 0, 0, 7, 0, 1, 0xFF, 0xFF))
	var o OutgoingSSNResetParam
	var i IncomingSSNResetParam
	noAllocs(t, "Outgoing SSN Reset", func() { _ = o.Decode(out) })
	noAllocs(t, "Incoming SSN Reset", func() { _ = i.Decode(in) })
}
