package wire

import "testing"

func TestIDataGolden(t *testing.T) {
	cases := []struct {
		name   string
		v      IData
		golden []byte
	}{
		{"first fragment carries the PPID", IData{Flags: FlagBegin, TSN: 1, Stream: 2, MID: 3, PPID: 0x33, Payload: []byte("hello")},
			hexb(0x40, 0x02, 0, 25, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x33, 'h', 'e', 'l', 'l', 'o', 0, 0, 0)},
		{"middle fragment carries the FSN", IData{TSN: 2, Stream: 2, MID: 3, FSN: 1, Payload: []byte("abcd")},
			hexb(0x40, 0x00, 0, 24, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 'a', 'b', 'c', 'd')},
		{"last unordered fragment, SACK immediately", IData{Flags: FlagEnd | FlagUnordered | FlagImmediate, TSN: 0xFFFFFFFF, Stream: 0xFFFF, MID: 0xFFFFFFFF, FSN: 0x01020304, Payload: []byte("z")},
			hexb(0x40, 0x0D, 0, 21, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 'z', 0, 0, 0)},
		{"whole message", IData{Flags: FlagBegin | FlagEnd, TSN: 7, MID: 0, PPID: 0xAABBCCDD, Payload: []byte("xy")},
			hexb(0x40, 0x03, 0, 22, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD, 'x', 'y', 0, 0)},
		{"empty payload", IData{TSN: 8, FSN: 2},
			hexb(0x40, 0x00, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

// TestIDataPPIDOrFSN checks that only the field the B flag selects is
// written, and that decoding fills only that one.
func TestIDataPPIDOrFSN(t *testing.T) {
	first := (&IData{Flags: FlagBegin, PPID: 5, FSN: 9}).Append(nil)
	other := (&IData{Flags: FlagEnd, PPID: 5, FSN: 9}).Append(nil)
	if first[19] != 5 || other[19] != 9 {
		t.Fatalf("last header byte: first %d, other %d", first[19], other[19])
	}
	var d IData
	if err := d.Decode(Chunk(first)); err != nil || d.PPID != 5 || d.FSN != 0 {
		t.Errorf("first fragment: %+v, %v", d, err)
	}
	if err := d.Decode(Chunk(other)); err != nil || d.PPID != 0 || d.FSN != 9 {
		t.Errorf("other fragment: %+v, %v", d, err)
	}
}

func TestIDataIgnoresReserved(t *testing.T) {
	var d IData
	err := d.Decode(Chunk(hexb(0x40, 0x03, 0, 20, 0, 0, 0, 1, 0, 4, 0xAB, 0xCD, 0, 0, 0, 6, 0, 0, 0, 51)))
	if err != nil || d.Stream != 4 || d.MID != 6 || d.PPID != 51 {
		t.Errorf("Decode = %v, %+v", err, d)
	}
}

func TestIDataMalformed(t *testing.T) {
	checkMalformed[IData](t, hexb(0x40, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), "I-DATA chunk", 0)
	checkMalformed[IData](t, hexb(0x00, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "chunk type", 0)
}

func TestIDataDecodeAllocatesNothing(t *testing.T) {
	c := Chunk((&IData{Flags: FlagBegin, TSN: 1, Payload: make([]byte, 100)}).Append(nil))
	var d IData
	noAllocs(t, "I-DATA", func() { _ = d.Decode(c) })
}
