package wire

import "testing"

func TestForwardTSNGolden(t *testing.T) {
	checkChunk(t, &ForwardTSN{NewCumTSN: 0x100, Streams: []StreamSSN{{1, 5}, {0xFFFF, 0}}},
		hexb(0xC0, 0, 0, 16, 0, 0, 1, 0, 0, 1, 0, 5, 0xFF, 0xFF, 0, 0))
	checkChunk(t, &ForwardTSN{NewCumTSN: 0xFFFFFFFF}, hexb(0xC0, 0, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF))
}

func TestForwardTSNMalformed(t *testing.T) {
	checkMalformed[ForwardTSN](t, hexb(0xC0, 0, 0, 6, 0, 0), "FORWARD-TSN chunk", 0)
	checkMalformed[ForwardTSN](t, hexb(0xC0, 0, 0, 10, 0, 0, 0, 1, 0, 1), "FORWARD-TSN chunk length", 2)
	checkMalformed[ForwardTSN](t, hexb(0xC2, 0, 0, 8, 0, 0, 0, 1), "chunk type", 0)
}

func TestForwardTSNSupportedParam(t *testing.T) {
	checkParam(t, &ForwardTSNSupportedParam{}, hexb(0xC0, 0x00, 0, 4))
	checkParamMalformed[ForwardTSNSupportedParam](t, hexb(0xC0, 0x00, 0, 5, 1), "Forward-TSN-Supported length", 2)
	checkParamMalformed[ForwardTSNSupportedParam](t, hexb(0x80, 0x00, 0, 4), "parameter type", 0)
}

func TestIForwardTSNGolden(t *testing.T) {
	checkChunk(t, &IForwardTSN{NewCumTSN: 9, Streams: []StreamMID{{Stream: 1, Unordered: true, MID: 0x01020304}, {Stream: 2, MID: 5}}},
		hexb(0xC2, 0, 0, 24, 0, 0, 0, 9,
			0, 1, 0, 1, 1, 2, 3, 4,
			0, 2, 0, 0, 0, 0, 0, 5))
	checkChunk(t, &IForwardTSN{NewCumTSN: 1}, hexb(0xC2, 0, 0, 8, 0, 0, 0, 1))
}

func TestIForwardTSNIgnoresReservedBits(t *testing.T) {
	var f IForwardTSN
	err := f.Decode(Chunk(hexb(0xC2, 0, 0, 16, 0, 0, 0, 9, 0, 3, 0xFF, 0xFE, 0, 0, 0, 7)))
	want := StreamMID{Stream: 3, Unordered: false, MID: 7}
	if err != nil || len(f.Streams) != 1 || f.Streams[0] != want {
		t.Errorf("Decode = %v, %+v", err, f)
	}
}

func TestIForwardTSNMalformed(t *testing.T) {
	checkMalformed[IForwardTSN](t, hexb(0xC2, 0, 0, 12, 0, 0, 0, 9, 0, 1, 0, 1), "I-FORWARD-TSN chunk length", 2)
	checkMalformed[IForwardTSN](t, hexb(0xC2, 0, 0, 4), "I-FORWARD-TSN chunk", 0)
}

func TestForwardTSNDecodeReusesSlices(t *testing.T) {
	fwd := Chunk(hexb(0xC0, 0, 0, 16, 0, 0, 1, 0, 0, 1, 0, 5, 0xFF, 0xFF, 0, 0))
	ifwd := Chunk(hexb(0xC2, 0, 0, 16, 0, 0, 0, 9, 0, 1, 0, 1, 1, 2, 3, 4))
	var f ForwardTSN
	var i IForwardTSN
	noAllocs(t, "FORWARD-TSN", func() { _ = f.Decode(fwd) })
	noAllocs(t, "I-FORWARD-TSN", func() { _ = i.Decode(ifwd) })
}
