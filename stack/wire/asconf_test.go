package wire

import (
	"net/netip"
	"slices"
	"testing"
)

func TestAsconfGolden(t *testing.T) {
	addIP := hexb(0xC0, 0x01, 0, 16, 0, 0, 0, 1, 0, 5, 0, 8, 198, 51, 100, 9)
	setPrimary := hexb(0xC0, 0x04, 0, 16, 0, 0, 0, 2, 0, 5, 0, 8, 198, 51, 100, 9)
	unknown := hexb(0xC1, 0x23, 0, 5, 0xAA)
	cases := []struct {
		name   string
		v      Asconf
		golden []byte
	}{
		{"IPv4, add and set primary",
			Asconf{Serial: 0x11223344, Address: netip.MustParseAddr("192.0.2.7"), Params: joinBytes(addIP, setPrimary)},
			joinBytes(hexb(0xC1, 0, 0, 48, 0x11, 0x22, 0x33, 0x44), v4Golden, addIP, setPrimary)},
		{"IPv6, odd last parameter is padded but not counted",
			Asconf{Serial: 1, Address: netip.MustParseAddr("2001:db8::1"), Params: unknown},
			joinBytes(hexb(0xC1, 0, 0, 33, 0, 0, 0, 1), v6Golden, unknown, hexb(0, 0, 0))},
		{"wildcard address, no requests",
			Asconf{Serial: 0xFFFFFFFF, Address: netip.IPv6Unspecified()},
			joinBytes(hexb(0xC1, 0, 0, 28, 0xFF, 0xFF, 0xFF, 0xFF), v6Any)},
		{"0.0.0.0 address",
			Asconf{Serial: 2, Address: netip.IPv4Unspecified(), Params: addIP},
			joinBytes(hexb(0xC1, 0, 0, 32, 0, 0, 0, 2), v4Any, addIP)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

// TestAsconfUnknownParams checks that parameters this package does not know
// come back from the list with their action bits instead of failing the
// chunk (RFC 5061 section 5.2, rule V2).
func TestAsconfUnknownParams(t *testing.T) {
	golden := joinBytes(hexb(0xC1, 0, 0, 44, 0, 0, 0, 3), v4Golden,
		hexb(0xC1, 0x23, 0, 5, 0xAA, 0, 0, 0),         // skip and report
		hexb(0x41, 0x00, 0, 4),                        // stop and report
		hexb(0xC0, 0x02, 0, 16, 0, 0, 0, 7), v4Golden) // Delete IP
	var a Asconf
	if err := a.Decode(Chunk(golden)); err != nil {
		t.Fatal(err)
	}
	type item struct {
		typ    ParamType
		known  bool
		action Action
	}
	want := []item{{0xC123, false, ActionSkipReport}, {0x4100, false, ActionStopReport}, {ParamDeleteIP, true, ActionSkipReport}}
	var got []item
	it := a.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		got = append(got, item{p.Type(), p.Type().Known(), p.Type().Action()})
	}
	if it.Err() != nil || !slices.Equal(got, want) {
		t.Fatalf("params %+v, err %v; want %+v", got, it.Err(), want)
	}
	p, _ := a.Params.Find(ParamDeleteIP)
	var r AddressRequestParam
	if err := r.Decode(p); err != nil || r.CorrelationID != 7 || r.Address != netip.MustParseAddr("192.0.2.7") {
		t.Errorf("Delete IP = %+v, %v", r, err)
	}
}

func TestAsconfMalformed(t *testing.T) {
	cases := []struct {
		name  string
		in    []byte
		field string
		off   int
	}{
		{"no address parameter", hexb(0xC1, 0, 0, 8, 0, 0, 0, 1), "ASCONF chunk", 0},
		{"address parameter past the chunk", hexb(0xC1, 0, 0, 12, 0, 0, 0, 1, 0, 5, 0, 8), "parameter length", 10},
		{"first parameter is a request", joinBytes(hexb(0xC1, 0, 0, 24, 0, 0, 0, 1, 0xC0, 0x01, 0, 16, 0, 0, 0, 1), v4Golden), "parameter type", 8},
		{"IPv6 address of 4 bytes", hexb(0xC1, 0, 0, 16, 0, 0, 0, 1, 0, 6, 0, 8, 1, 2, 3, 4), "IPv6 Address value", 12},
		{"request past the chunk", joinBytes(hexb(0xC1, 0, 0, 24, 0, 0, 0, 1), v4Golden, hexb(0xC0, 0x05, 0, 12, 0, 0, 0, 1)), "parameter length", 18},
		{"truncated request header", joinBytes(hexb(0xC1, 0, 0, 18, 0, 0, 0, 1), v4Golden, hexb(0xC0, 0x05)), "parameter header", 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkMalformed[Asconf](t, tc.in, tc.field, tc.off) })
	}
}

func TestAsconfAckGolden(t *testing.T) {
	success := hexb(0xC0, 0x05, 0, 8, 0, 0, 0, 1)
	failure := hexb(0xC0, 0x03, 0, 16, 0, 0, 0, 2, 0, 0xA3, 0, 4, 0, 4, 0, 4)
	checkChunk(t, &AsconfAck{Serial: 7, Params: joinBytes(success, failure)},
		joinBytes(hexb(0x80, 0, 0, 32, 0, 0, 0, 7), success, failure))
	checkChunk(t, &AsconfAck{Serial: 0x80000000}, hexb(0x80, 0, 0, 8, 0x80, 0, 0, 0))
}

func TestAsconfAckMalformed(t *testing.T) {
	checkMalformed[AsconfAck](t, hexb(0x80, 0, 0, 6, 0, 0), "ASCONF-ACK chunk", 0)
	checkMalformed[AsconfAck](t, hexb(0x80, 0, 0, 10, 0, 0, 0, 7, 0xC0, 0x05), "parameter header", 8)
	checkMalformed[AsconfAck](t, hexb(0x80, 0, 0, 12, 0, 0, 0, 7, 0xC0, 0x05, 0, 3), "parameter length", 10)
	checkMalformed[AsconfAck](t, hexb(0xC1, 0, 0, 8, 0, 0, 0, 7), "chunk type", 0)
}

// TestAsconfBuiltFromTypedParams builds an ASCONF the way the engine will,
// from typed parameters, and reads the requests back.
func TestAsconfBuiltFromTypedParams(t *testing.T) {
	addr := netip.MustParseAddr("2001:db8::5")
	var ps Params
	ps = AppendParam(ps, &AddressRequestParam{Type: ParamAddIP, CorrelationID: 1, Address: addr})
	ps = AppendParam(ps, &AddressRequestParam{Type: ParamDeleteIP, CorrelationID: 2, Address: netip.IPv4Unspecified()})
	ps = AppendParam(ps, &AddressRequestParam{Type: ParamSetPrimary, CorrelationID: 3, Address: addr})
	out := (&Asconf{Serial: 42, Address: addr, Params: ps}).Append(nil)

	var a Asconf
	if err := a.Decode(Chunk(out)); err != nil {
		t.Fatal(err)
	}
	want := []AddressRequestParam{{ParamAddIP, 1, addr}, {ParamDeleteIP, 2, netip.IPv4Unspecified()}, {ParamSetPrimary, 3, addr}}
	it := a.Params.Iter()
	for i := 0; ; i++ {
		p, ok := it.Next()
		if !ok {
			if i != len(want) || it.Err() != nil {
				t.Fatalf("%d requests, err %v", i, it.Err())
			}
			break
		}
		var r AddressRequestParam
		if err := r.Decode(p); err != nil || r != want[i] {
			t.Errorf("request %d = %+v, %v; want %+v", i, r, err, want[i])
		}
	}
}

func TestAsconfAllocatesNothing(t *testing.T) {
	addr := netip.MustParseAddr("2001:db8::5")
	reqs := AppendParam(nil, &AddressRequestParam{Type: ParamAddIP, CorrelationID: 1, Address: addr})
	v := &Asconf{Serial: 1, Address: addr, Params: reqs}
	buf := make([]byte, 0, 128)
	out := v.Append(nil)
	var a Asconf
	var r AddressRequestParam
	noAllocs(t, "Len", func() { _ = v.Len() })
	noAllocs(t, "Append", func() { _ = v.Append(buf[:0]) })
	noAllocs(t, "Decode", func() { _ = a.Decode(Chunk(out)) })
	noAllocs(t, "request Decode", func() { _ = r.Decode(Param(reqs)) })
}

// TestAsconfAckCountedPadding decodes a chunk whose length counts the last
// parameter's padding, as some peers send it: the list comes back without
// the padding, and re-encodes with the length RFC 9260 section 3.2 asks for.
func TestAsconfAckCountedPadding(t *testing.T) {
	in := hexb(0x80, 0, 0, 16, 0, 0, 0, 1, 0xC1, 0x23, 0, 5, 0xAA, 0, 0, 0)
	var a AsconfAck
	if err := a.Decode(Chunk(in)); err != nil {
		t.Fatal(err)
	}
	if string(a.Params) != string(hexb(0xC1, 0x23, 0, 5, 0xAA)) {
		t.Errorf("Params = % x", a.Params)
	}
	want := hexb(0x80, 0, 0, 13, 0, 0, 0, 1, 0xC1, 0x23, 0, 5, 0xAA, 0, 0, 0)
	if out := a.Append(nil); string(out) != string(want) {
		t.Errorf("Append = % x, want % x", out, want)
	}
}
