package wire

import "testing"

func TestPadGolden(t *testing.T) {
	checkChunk(t, &Pad{Padding: make([]byte, 5)}, hexb(0x84, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0))
	checkChunk(t, &Pad{Padding: []byte{1, 2, 3, 4}}, hexb(0x84, 0, 0, 8, 1, 2, 3, 4))
	checkChunk(t, &Pad{}, hexb(0x84, 0, 0, 4))
	checkMalformed[Pad](t, hexb(0x85, 0, 0, 4), "chunk type", 0)
	checkMalformed[Pad](t, hexb(0x84, 0), "chunk header", 0)
}

func TestPadParamGolden(t *testing.T) {
	checkParam(t, &PadParam{Padding: []byte{0, 0, 0}}, hexb(0x80, 0x05, 0, 7, 0, 0, 0))
	checkParam(t, &PadParam{}, hexb(0x80, 0x05, 0, 4))
	checkParamMalformed[PadParam](t, hexb(0x80, 0x06, 0, 4), "parameter type", 0)
}

func TestZeroChecksumAcceptableGolden(t *testing.T) {
	checkParam(t, &ZeroChecksumAcceptableParam{Method: EDMIDSCTPOverDTLS}, hexb(0x80, 0x01, 0, 8, 0, 0, 0, 1))
	checkParam(t, &ZeroChecksumAcceptableParam{Method: 0xFFFFFFFF}, hexb(0x80, 0x01, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF))
	checkParamMalformed[ZeroChecksumAcceptableParam](t, hexb(0x80, 0x01, 0, 6, 0, 1), "Zero Checksum Acceptable value", 4)
	checkParamMalformed[ZeroChecksumAcceptableParam](t, hexb(0x80, 0x01, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1), "Zero Checksum Acceptable length", 2)
}
