package wire

import (
	"net/netip"
	"testing"
)

func TestInitGolden(t *testing.T) {
	typed := AppendParam(nil, &AddressParam{Addr: netip.MustParseAddr("192.0.2.1")})
	typed = AppendParam(typed, &SupportedAddrTypesParam{Types: []ParamType{ParamIPv4Address}})
	typed = AppendParam(typed, &ECNCapableParam{})
	cases := []struct {
		name   string
		v      Init
		golden []byte
	}{
		{"typed params, the middle one padded", Init{InitiateTag: 0x11223344, ARwnd: 0x10000, OutStreams: 10, InStreams: 0xFFFF, InitialTSN: 0xA0B0C0D0, Params: typed},
			hexb(0x01, 0x00, 0x00, 0x28,
				0x11, 0x22, 0x33, 0x44,
				0x00, 0x01, 0x00, 0x00,
				0x00, 0x0A, 0xFF, 0xFF,
				0xA0, 0xB0, 0xC0, 0xD0,
				0x00, 0x05, 0x00, 0x08, 192, 0, 2, 1,
				0x00, 0x0C, 0x00, 0x06, 0x00, 0x05, 0x00, 0x00,
				0x80, 0x00, 0x00, 0x04)},
		{"no params", Init{InitiateTag: 1, ARwnd: 2, OutStreams: 3, InStreams: 4, InitialTSN: 5},
			hexb(0x01, 0x00, 0x00, 0x14, 0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 5)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

func TestInitAckGolden(t *testing.T) {
	// The State Cookie is last and odd: the chunk length (29) leaves out
	// its three bytes of padding.
	v := InitAck{InitiateTag: 1, ARwnd: 4096, OutStreams: 1, InStreams: 1, InitialTSN: 2,
		Params: Params(hexb(0x00, 0x07, 0x00, 0x09, 'c', 'o', 'o', 'k', '!'))}
	checkChunk(t, &v, hexb(0x02, 0x00, 0x00, 0x1D,
		0, 0, 0, 1, 0, 0, 0x10, 0, 0, 1, 0, 1, 0, 0, 0, 2,
		0x00, 0x07, 0x00, 0x09, 'c', 'o', 'o', 'k', '!', 0, 0, 0))
	if Init(v).InitiateTag != 1 || (*Init)(&v).Len() != 32 {
		t.Error("INIT ACK does not convert to INIT")
	}
}

func TestInitCountedPadding(t *testing.T) {
	// A peer that counts the last parameter's padding in the chunk length
	// (32 instead of 29) still decodes, and Params leaves the padding out.
	in := hexb(0x02, 0x00, 0x00, 0x20,
		0, 0, 0, 1, 0, 0, 0x10, 0, 0, 1, 0, 1, 0, 0, 0, 2,
		0x00, 0x07, 0x00, 0x09, 'c', 'o', 'o', 'k', '!', 0, 0, 0)
	var a InitAck
	if err := a.Decode(Chunk(in)); err != nil {
		t.Fatal(err)
	}
	if len(a.Params) != 9 {
		t.Errorf("Params holds %d bytes, want the 9 of the cookie parameter", len(a.Params))
	}
	if out := a.Append(nil); out[3] != 0x1D || len(out) != 32 {
		t.Errorf("re-encoded length field %d, %d bytes; want 29 and 32", out[3], len(out))
	}
}

func TestInitUnknownParams(t *testing.T) {
	in := hexb(0x01, 0x00, 0x00, 0x34,
		0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 5,
		0x00, 0xAA, 0x00, 0x04, // stop
		0x40, 0x01, 0x00, 0x05, 0x01, 0, 0, 0, // stop and report
		0x8A, 0xBC, 0x00, 0x04, // skip
		0xC0, 0xFF, 0x00, 0x06, 0x01, 0x02, 0, 0, // skip and report
		0x00, 0x09, 0x00, 0x08, 0x00, 0x00, 0x27, 0x10) // Cookie Preservative
	var i Init
	if err := i.Decode(Chunk(in)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ    ParamType
		action Action
		value  int
	}{
		{0x00AA, ActionStop, 0},
		{0x4001, ActionStopReport, 1},
		{0x8ABC, ActionSkip, 0},
		{0xC0FF, ActionSkipReport, 2},
		{ParamCookiePreservative, ActionStop, 4},
	}
	it := i.Params.Iter()
	for n, w := range want {
		p, ok := it.Next()
		if !ok {
			t.Fatalf("parameter %d missing: %v", n, it.Err())
		}
		if p.Type() != w.typ || p.Type().Action() != w.action || len(p.Value()) != w.value {
			t.Errorf("parameter %d: %s action %d, %d value bytes; want %s action %d, %d bytes",
				n, p.Type(), p.Type().Action(), len(p.Value()), w.typ, w.action, w.value)
		}
	}
	if _, ok := it.Next(); ok || it.Err() != nil {
		t.Errorf("expected the end of the list, err %v", it.Err())
	}
}

func TestInitMalformed(t *testing.T) {
	hdr := hexb(0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 5)
	initWith := func(t ChunkType, rest ...byte) []byte {
		return append(append(hexb(byte(t), 0, 0, 0), hdr...), rest...)
	}
	checkMalformed[Init](t, initWith(TypeInit)[:19], "INIT chunk", 0)
	checkMalformed[InitAck](t, initWith(TypeInit), "chunk type", 0)
	checkMalformed[Init](t, initWith(TypeInit, 0x00, 0x05, 0x00, 0x0C, 192, 0, 2, 1), "parameter length", 22)
	checkMalformed[Init](t, initWith(TypeInit, 0x00, 0x05, 0x00, 0x03), "parameter length", 22)
	// Two bytes after an aligned parameter are neither padding nor a header.
	checkMalformed[InitAck](t, initWith(TypeInitAck, 0x80, 0x00, 0x00, 0x04, 0, 0), "parameter header", 24)
}

func TestAbortErrorGolden(t *testing.T) {
	// Invalid Stream Identifier, then a User-Initiated Abort of odd length
	// whose padding the chunk length (19) does not count.
	causes := Causes(hexb(0x00, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x07, 'b', 'y', 'e'))
	checkChunk(t, &Abort{TagReflected: true, Causes: causes}, hexb(0x06, 0x01, 0x00, 0x13,
		0x00, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00,
		0x00, 0x0C, 0x00, 0x07, 'b', 'y', 'e', 0x00))
	checkChunk(t, &Abort{}, hexb(0x06, 0x00, 0x00, 0x04))
	checkChunk(t, &ErrorChunk{Causes: Causes(hexb(0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0xE8))},
		hexb(0x09, 0x00, 0x00, 0x0C, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0xE8))
}

func TestAbortFlagsAndPadding(t *testing.T) {
	var a Abort
	// Reserved bits are ignored; only T counts. The length (20) counts
	// the last cause's padding, which Causes leaves out.
	in := hexb(0x06, 0xFF, 0x00, 0x14, 0x00, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x07, 'b', 'y', 'e', 0x00)
	if err := a.Decode(Chunk(in)); err != nil {
		t.Fatal(err)
	}
	if !a.TagReflected || len(a.Causes) != 15 {
		t.Errorf("T=%v, %d cause bytes; want true and 15", a.TagReflected, len(a.Causes))
	}
	if err := a.Decode(Chunk(hexb(0x06, 0xFE, 0x00, 0x04))); err != nil || a.TagReflected {
		t.Errorf("flags 0xFE: T=%v err=%v", a.TagReflected, err)
	}
}

func TestAbortErrorMalformed(t *testing.T) {
	checkMalformed[Abort](t, hexb(0x06, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0C), "error cause length", 6)
	checkMalformed[ErrorChunk](t, hexb(0x09, 0x00, 0x00, 0x09, 0x00, 0x0A, 0x00, 0x04, 0xFF), "error cause header", 8)
	checkMalformed[ErrorChunk](t, hexb(0x06, 0x00, 0x00, 0x04), "chunk type", 0)
	checkMalformed[Abort](t, hexb(0x06, 0x00), "chunk header", 0)
}

func TestFixedChunksGolden(t *testing.T) {
	checkChunk(t, &Shutdown{CumTSNAck: 0xDEADBEEF}, hexb(0x07, 0x00, 0x00, 0x08, 0xDE, 0xAD, 0xBE, 0xEF))
	checkChunk(t, &ShutdownAck{}, hexb(0x08, 0x00, 0x00, 0x04))
	checkChunk(t, &ShutdownComplete{}, hexb(0x0E, 0x00, 0x00, 0x04))
	checkChunk(t, &ShutdownComplete{TagReflected: true}, hexb(0x0E, 0x01, 0x00, 0x04))
	checkChunk(t, &CookieEcho{Cookie: []byte("abcde")}, hexb(0x0A, 0x00, 0x00, 0x09, 'a', 'b', 'c', 'd', 'e', 0, 0, 0))
	checkChunk(t, &CookieEcho{}, hexb(0x0A, 0x00, 0x00, 0x04))
	checkChunk(t, &CookieAck{}, hexb(0x0B, 0x00, 0x00, 0x04))
	checkChunk(t, &ECNE{LowestTSN: 42}, hexb(0x0C, 0x00, 0x00, 0x08, 0, 0, 0, 42))
	checkChunk(t, &CWR{LowestTSN: 0xFFFFFFFE}, hexb(0x0D, 0x00, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFE))
}

func TestECNEDraftForm(t *testing.T) {
	// usrsctp appends the number of CE-marked packets since the last CWR.
	var e ECNE
	if err := e.Decode(Chunk(hexb(0x0C, 0x00, 0x00, 0x0C, 0, 0, 0, 42, 0, 0, 0, 3))); err != nil {
		t.Fatal(err)
	}
	if e.LowestTSN != 42 {
		t.Errorf("LowestTSN = %d, want 42", e.LowestTSN)
	}
}

func TestFixedChunksMalformed(t *testing.T) {
	checkMalformed[Shutdown](t, hexb(0x07, 0x00, 0x00, 0x04), "SHUTDOWN chunk length", 2)
	checkMalformed[Shutdown](t, hexb(0x07, 0x00, 0x00, 0x0C, 0, 0, 0, 1, 0, 0, 0, 2), "SHUTDOWN chunk length", 2)
	checkMalformed[Shutdown](t, hexb(0x08, 0x00, 0x00, 0x08, 0, 0, 0, 1), "chunk type", 0)
	checkMalformed[ShutdownAck](t, hexb(0x08, 0x00, 0x00, 0x08, 0, 0, 0, 0), "SHUTDOWN ACK chunk length", 2)
	checkMalformed[ShutdownComplete](t, hexb(0x0E, 0x01, 0x00, 0x08, 0, 0, 0, 0), "SHUTDOWN COMPLETE chunk length", 2)
	checkMalformed[CookieAck](t, hexb(0x0B, 0x00, 0x00, 0x05, 0), "COOKIE ACK chunk length", 2)
	checkMalformed[CookieEcho](t, hexb(0x0B, 0x00, 0x00, 0x04), "chunk type", 0)
	checkMalformed[ECNE](t, hexb(0x0C, 0x00, 0x00, 0x0A, 0, 0, 0, 1, 0, 0), "ECNE chunk length", 2)
	checkMalformed[ECNE](t, hexb(0x0C, 0x00, 0x00, 0x04), "ECNE chunk length", 2)
	checkMalformed[CWR](t, hexb(0x0D, 0x00, 0x00, 0x0C, 0, 0, 0, 1, 0, 0, 0, 3), "CWR chunk length", 2)
	checkMalformed[CWR](t, hexb(0x0D, 0x00), "chunk header", 0)
}

func TestBaseDecodersDoNotAllocate(t *testing.T) {
	initAck := (&InitAck{Params: Params(hexb(0x00, 0x07, 0x00, 0x05, 1))}).Append(nil)
	abort := (&Abort{Causes: Causes(hexb(0x00, 0x04, 0x00, 0x04))}).Append(nil)
	var (
		a InitAck
		b Abort
		s SupportedAddrTypesParam
		m MissingParamCause
	)
	noAllocs(t, "InitAck", func() { _ = a.Decode(Chunk(initAck)) })
	noAllocs(t, "Abort", func() { _ = b.Decode(Chunk(abort)) })
	noAllocs(t, "SupportedAddrTypesParam", func() { _ = s.Decode(Param(hexb(0x00, 0x0C, 0x00, 0x08, 0, 5, 0, 6))) })
	noAllocs(t, "MissingParamCause", func() { _ = m.Decode(Cause(hexb(0x00, 0x02, 0x00, 0x0A, 0, 0, 0, 1, 0, 7))) })
}
