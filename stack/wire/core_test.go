package wire

import (
	"errors"
	"net/netip"
	"testing"
)

func TestDataGolden(t *testing.T) {
	cases := []struct {
		name   string
		v      Data
		golden []byte
	}{
		{"unpadded payload", Data{Flags: FlagBegin | FlagEnd, TSN: 0x01020304, Stream: 7, SSN: 9, PPID: 51, Payload: []byte("hey")},
			hexb(0x00, 0x03, 0x00, 0x13, 1, 2, 3, 4, 0, 7, 0, 9, 0, 0, 0, 51, 'h', 'e', 'y', 0)},
		{"aligned payload unordered", Data{Flags: FlagUnordered | FlagImmediate, TSN: 0xFFFFFFFF, Stream: 0xFFFF, SSN: 0, PPID: 0xAABBCCDD, Payload: []byte("abcd")},
			hexb(0x00, 0x0C, 0x00, 0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD, 'a', 'b', 'c', 'd')},
		{"empty payload", Data{TSN: 1},
			hexb(0x00, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

func TestDataMalformed(t *testing.T) {
	checkMalformed[Data](t, hexb(0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0), "DATA chunk", 0)
	checkMalformed[Data](t, hexb(3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), "chunk type", 0)
}

func TestSackGolden(t *testing.T) {
	v := Sack{CumTSN: 100, ARwnd: 65536, Gaps: []GapBlock{{2, 3}, {5, 5}}, Dups: []uint32{99}}
	golden := hexb(3, 0, 0, 28,
		0, 0, 0, 100, 0, 1, 0, 0, 0, 2, 0, 1,
		0, 2, 0, 3, 0, 5, 0, 5,
		0, 0, 0, 99)
	checkChunk(t, &v, golden)
	checkChunk(t, &Sack{CumTSN: 1, ARwnd: 2}, hexb(3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0))
}

func TestSackLengthMismatch(t *testing.T) {
	// One gap block announced, none present.
	checkMalformed[Sack](t, hexb(3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0), "SACK chunk length", 2)
	// A stray byte past the announced lists.
	checkMalformed[Sack](t, hexb(3, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 9), "SACK chunk length", 2)
}

func TestSackDecodeReusesSlices(t *testing.T) {
	golden := (&Sack{Gaps: []GapBlock{{1, 2}}, Dups: []uint32{5, 6}}).Append(nil)
	var s Sack
	if err := s.Decode(Chunk(golden)); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = s.Decode(Chunk(golden)) })
	if allocs != 0 {
		t.Errorf("Sack.Decode into a used value allocates %v times", allocs)
	}
}

func TestHeartbeatGolden(t *testing.T) {
	checkChunk(t, &Heartbeat{Info: []byte{1, 2, 3, 4, 5}},
		hexb(4, 0, 0, 13, 0, 1, 0, 9, 1, 2, 3, 4, 5, 0, 0, 0))
	checkChunk(t, &HeartbeatAck{Info: []byte{9, 8, 7, 6}},
		hexb(5, 0, 0, 12, 0, 1, 0, 8, 9, 8, 7, 6))
}

func TestHeartbeatMalformed(t *testing.T) {
	// Wrong parameter type inside.
	checkMalformed[Heartbeat](t, hexb(4, 0, 0, 8, 0, 2, 0, 4), "Heartbeat Info type", 4)
	// Parameter length past the chunk.
	checkMalformed[Heartbeat](t, hexb(4, 0, 0, 8, 0, 1, 0, 9), "parameter length", 6)
	// Junk after the parameter.
	checkMalformed[HeartbeatAck](t, hexb(5, 0, 0, 16, 0, 1, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8), "HEARTBEAT ACK chunk length", 2)
}

func TestHeartbeatAcceptsCountedPadding(t *testing.T) {
	var h Heartbeat
	if err := h.Decode(Chunk(hexb(4, 0, 0, 12, 0, 1, 0, 5, 7, 0, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if len(h.Info) != 1 || h.Info[0] != 7 {
		t.Errorf("Info = % x", h.Info)
	}
}

func TestChunkIter(t *testing.T) {
	pkt := Header{SrcPort: 5000, DstPort: 5001, VerificationTag: 0xdeadbeef}.Append(nil)
	pkt = (&Sack{CumTSN: 5, ARwnd: 1000}).Append(pkt)
	pkt = (&Data{TSN: 6, Payload: []byte("x")}).Append(pkt)
	pkt = (&Raw{Type: 0xFE, Flags: 3, Value: []byte{1, 2}}).Append(pkt)
	SetChecksum(pkt)

	p, err := ParsePacket(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if !p.VerifyChecksum() {
		t.Fatal("checksum does not verify")
	}
	if p.SrcPort() != 5000 || p.DstPort() != 5001 || p.VerificationTag() != 0xdeadbeef {
		t.Errorf("header fields %d %d %#x", p.SrcPort(), p.DstPort(), p.VerificationTag())
	}
	var types []ChunkType
	var offsets []int
	it := p.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		types = append(types, c.Type())
		offsets = append(offsets, it.Offset())
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	want := []ChunkType{TypeSack, TypeData, 0xFE}
	if len(types) != 3 || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Errorf("types %v, want %v", types, want)
	}
	if offsets[0] != 12 || offsets[1] != 28 || offsets[2] != 48 {
		t.Errorf("offsets %v", offsets)
	}
	if a := ChunkType(0xFE).Action(); a != ActionSkipReport || a.Stop() || !a.Report() {
		t.Errorf("action of 0xFE = %d", a)
	}
	pkt[20] ^= 1
	if p.VerifyChecksum() {
		t.Error("corrupted packet verifies")
	}
}

func TestChunkIterErrors(t *testing.T) {
	hdr := Header{}.Append(nil)
	cases := []struct {
		name  string
		rest  []byte
		field string
		off   int
	}{
		{"truncated header", hexb(0, 0), "chunk header", 12},
		{"length below header", hexb(0, 0, 0, 3), "chunk length", 14},
		{"length past packet", hexb(0, 0, 0, 40, 1, 2, 3, 4), "chunk length", 14},
		{"second chunk bad", hexb(11, 0, 0, 4, 9, 0, 0, 2), "chunk length", 18},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := Packet(append(append([]byte(nil), hdr...), tc.rest...)).Chunks()
			for _, ok := it.Next(); ok; _, ok = it.Next() {
			}
			var pe *ParseError
			if !errors.As(it.Err(), &pe) || !errors.Is(it.Err(), ErrMalformed) {
				t.Fatalf("err = %v", it.Err())
			}
			if pe.Field != tc.field || pe.Offset != tc.off {
				t.Errorf("got %q at %d, want %q at %d", pe.Field, pe.Offset, tc.field, tc.off)
			}
		})
	}
	if _, err := ParsePacket(make([]byte, 11)); err == nil {
		t.Error("ParsePacket accepted 11 bytes")
	}
}

func TestLastChunkWithoutPadding(t *testing.T) {
	pkt := Header{}.Append(nil)
	pkt = append(pkt, 0, 3, 0, 17, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 'z') // DATA, 1 byte, unpadded
	it := Packet(pkt).Chunks()
	c, ok := it.Next()
	if !ok || c.Len() != 17 {
		t.Fatalf("chunk %v ok=%v err=%v", c, ok, it.Err())
	}
	if _, ok := it.Next(); ok || it.Err() != nil {
		t.Errorf("expected clean end, err=%v", it.Err())
	}
}

func TestParamAndCauseLists(t *testing.T) {
	var ps Params
	ps = AppendParam(ps, &RawParam{Type: ParamCookiePreservative, Value: []byte{0, 0, 1, 0}})
	ps = AppendParam(ps, &RawParam{Type: 0xC123, Value: []byte{1}})
	ps = AppendParam(ps, &RawParam{Type: ParamECNCapable})
	want := hexb(0, 9, 0, 8, 0, 0, 1, 0, 0xC1, 0x23, 0, 5, 1, 0, 0, 0, 0x80, 0, 0, 4)
	if string(ps) != string(want) {
		t.Fatalf("params % x, want % x", ps, want)
	}
	if err := ps.Validate(0); err != nil {
		t.Fatal(err)
	}
	p, ok := ps.Find(0xC123)
	if !ok || len(p.Value()) != 1 || p.Type().Action() != ActionSkipReport {
		t.Errorf("Find: %v %v", p, ok)
	}
	bad := Params(hexb(0, 9, 0, 8, 0, 0, 1, 0, 0, 1, 0, 9, 0))
	var pe *ParseError
	if err := bad.Validate(20); !errors.As(err, &pe) || pe.Offset != 30 || pe.Field != "parameter length" {
		t.Errorf("Validate = %v", err)
	}

	var cs Causes
	cs = AppendCause(cs, &RawCause{Code: CauseInvalidStream, Value: []byte{0, 5, 0, 0}})
	cs = AppendCause(cs, &RawCause{Code: CauseNoUserData, Value: []byte{0, 0, 0, 9}})
	it := cs.Iter()
	var codes []CauseCode
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		codes = append(codes, c.Code())
	}
	if it.Err() != nil || len(codes) != 2 || codes[1] != CauseNoUserData {
		t.Errorf("causes %v err %v", codes, it.Err())
	}
}

func TestNames(t *testing.T) {
	if TypeShutdownComplete.String() != "SHUTDOWN COMPLETE" || ChunkType(77).String() != "chunk type 77" {
		t.Error("chunk names")
	}
	if ParamZeroChecksumAcceptable.String() != "Zero Checksum Acceptable" || ParamType(0x1234).String() != "parameter type 0x1234" {
		t.Error("param names")
	}
	if CauseProtocolViolation.String() != "Protocol Violation" || !CauseUnsupportedHMACIdentifier.Known() {
		t.Error("cause names")
	}
}

func TestEqualValuesComparesAddresses(t *testing.T) {
	a := struct{ A netip.Addr }{netip.MustParseAddr("1.2.3.4")}
	b := struct{ A netip.Addr }{netip.MustParseAddr("2001:db8::9")}
	if equalValues(&a, &b) {
		t.Fatal("different addresses compare equal")
	}
	if !equalValues(&a, &a) {
		t.Fatal("an address differs from itself")
	}
}
