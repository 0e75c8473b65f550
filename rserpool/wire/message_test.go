package wire

import (
	"bytes"
	"testing"
)

func TestParseLengthRules(t *testing.T) {
	cases := []struct {
		name  string
		parse func([]byte) error
		in    string
		field string
		off   int
	}{
		{"ASAP header cut", parseASAP, `01 00`, "message header", 0},
		{"length below header", parseASAP, `01 00 00 02`, "message length", 2},
		{"length beyond buffer", parseASAP, `05 00 00 10 ` + handleEcho, "message length", 2},
		{"bytes after the padding", parseASAP, `05 00 00 0c ` + handleEcho + ` 00 00 00 00`, "message length", 2},
		{"ENRP header cut", parseENRP, `01 00 00 08 00 00 00 0a`, "message header", 0},
		{"ENRP length below header", parseENRP, `05 00 00 08 00 00 00 0a 00 00 00 0b`, "message length", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkError(t, tc.parse(x(tc.in)), tc.field, tc.off) })
	}
}

func parseASAP(b []byte) error { _, err := ParseASAP(b); return err }
func parseENRP(b []byte) error { _, err := ParseENRP(b); return err }

// A message length may leave out the padding of the last parameter; the
// padding may then follow in the buffer, or be missing.
func TestMessageLengthWithoutLastPadding(t *testing.T) {
	for _, in := range []string{
		`05 00 00 0b 00 09 00 07 61 62 63 00`, // padding after the length
		`05 00 00 0b 00 09 00 07 61 62 63`,    // no padding at all
	} {
		m, err := ParseASAP(x(in))
		if err != nil {
			t.Fatalf("ParseASAP(%s): %v", in, err)
		}
		if m.Len() != 11 || len(m.Bytes()) != 11 {
			t.Errorf("Len = %d, %d bytes; want 11", m.Len(), len(m.Bytes()))
		}
		var r HandleResolution
		if err := m.Decode(&r); err != nil {
			t.Fatalf("Decode(%s): %v", in, err)
		}
		// Written back, the length counts the padding.
		if got, want := AppendASAP(nil, &r), x(`05 00 00 0c 00 09 00 07 61 62 63 00`); !bytes.Equal(got, want) {
			t.Errorf("AppendASAP = % x, want % x", got, want)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		into  ASAPValue
		field string
		off   int
	}{
		{"parameter overruns message", `05 00 00 0c 00 09 00 0c 65 63 68 6f`, new(HandleResolution), "parameter length", 6},
		{"parameter length below header", `05 00 00 0c 00 09 00 02 65 63 68 6f`, new(HandleResolution), "parameter length", 6},
		{"no parameters", `01 00 00 04`, new(Registration), "Pool Handle parameter", 4},
		{"PE Identifier missing", `02 00 00 0c ` + handleEcho, new(Deregistration), "PE Identifier parameter", 12},
		{"PE Identifier instead of Pool Element", `01 00 00 14 ` + handleEcho + `
			00 0e 00 08 00 00 00 01`, new(Registration), "Pool Element parameter", 12},
		{"parameters out of order", `02 00 00 14 00 0e 00 08 00 00 00 01 ` + handleEcho, new(Deregistration), "Pool Handle parameter", 4},
		{"unexpected known parameter", `02 00 00 1c ` + handleEcho + `
			00 0e 00 08 00 00 00 01
			00 0d 00 08 63 6f 6f 6b  // a Cookie`, new(Deregistration), "parameter type", 20},
		{"type mismatch", `02 00 00 14 ` + handleEcho + ` 00 0e 00 08 00 00 00 01`, new(Registration), "message type", 0},
		{"fixed field cut", `07 00 00 06 01 02`, new(EndpointKeepAlive), "server's identifier", 4},
		{"nested parameter overruns its parent", `
			01 00 00 24 ` + handleEcho + `
			00 0a 00 18              // Pool Element, length 24
			00 00 00 01 00 00 00 00 00 00 00 00
			00 04 00 40 00 07 00 00  // SCTP Transport claiming 64 bytes`, new(Registration), "parameter length", 30},
		{"nested mandatory parameter missing", `
			01 00 00 34 ` + handleEcho + `
			00 0a 00 28 00 00 00 01 00 00 00 00 00 00 00 00
			00 04 00 18 00 07 00 01
			00 01 00 08 c0 00 02 01
			00 01 00 08 c6 33 64 02  // no policy follows`, new(Registration), "Pool Member Selection Policy parameter", 52},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseASAP(x(tc.in))
			if err != nil {
				t.Fatalf("ParseASAP: %v", err)
			}
			checkError(t, m.Decode(tc.into), tc.field, tc.off)
		})
	}
}

func TestDecodeENRPMalformed(t *testing.T) {
	m, err := ParseENRP(x(`07 00 00 0e ` + idsBytes + `00 00`))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, m.Decode(new(InitTakeover)), "target server's ID", 12)
	checkError(t, m.Decode(new(TakeoverServer)), "message type", 0)

	m, err = ParseENRP(x(`01 00 00 0c ` + idsBytes))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, m.Decode(new(Presence)), "PE Checksum parameter", 12)
}

func TestDecodeZeroView(t *testing.T) {
	checkError(t, ASAPMessage{}.Decode(new(Registration)), "message header", 0)
	checkError(t, ENRPMessage{}.Decode(new(Presence)), "message header", 0)
}

// Unknown parameters are skipped wherever they are, and reported by
// Unrecognized with their action bits.
func TestUnrecognizedParameters(t *testing.T) {
	in := x(`
		01 00 00 4c              // Registration, length 76
		` + handleEcho + `
		00 0a 00 38              // Pool Element, length 56
		11 22 33 44 0a 0b 0c 0d 00 00 75 30
		00 04 00 1c              //   SCTP Transport, length 28
		00 07 00 01
		00 01 00 08 c0 00 02 01
		00 01 00 08 c6 33 64 02
		40 45 00 04              //     unknown: stop and report
		00 08 00 0c 40 00 00 01 80 00 00 00
		80 44 00 06 ab cd 00 00  // unknown: skip`)
	m, err := ParseASAP(in)
	if err != nil {
		t.Fatal(err)
	}
	var r Registration
	if err := m.Decode(&r); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if want := (Registration{Handle: PoolHandle("echo"), Element: peA}); !equalValues(&r, &want) {
		t.Errorf("Decode = %+v, want %+v", r, want)
	}
	it := m.Unrecognized()
	for _, want := range []struct {
		p      string
		action Action
	}{
		{`40 45 00 04`, ActionStopReport},
		{`80 44 00 06 ab cd`, ActionSkip},
	} {
		p, ok := it.Next()
		if !ok {
			t.Fatalf("Unrecognized ended early: %v", it.Err())
		}
		if !bytes.Equal(p, x(want.p)) || p.Type().Action() != want.action {
			t.Errorf("Unrecognized = % x (action %d), want %s (action %d)", p, p.Type().Action(), want.p, want.action)
		}
	}
	if p, ok := it.Next(); ok || it.Err() != nil {
		t.Errorf("Unrecognized went on: % x, %v", p, it.Err())
	}
}

// Unrecognized looks into every parameter that holds others.
func TestUnrecognizedNested(t *testing.T) {
	m, err := ParseENRP(x(`
		06 00 00 34 ` + idsBytes + `
		00 0b 00 28 00 00 00 0a  // Server Information, length 40
		c0 42 00 04              //   unknown
		00 03 00 1c              //   DCCP Transport, length 28
		26 ad 00 00 00 00 00 01
		00 01 00 08 c0 00 02 0a
		80 43 00 04              //     unknown
		c0 44 00 04              //     unknown`))
	if err != nil {
		t.Fatal(err)
	}
	var r ListResponse
	if err := m.Decode(&r); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(r.Servers) != 1 || r.Servers[0].Transport.ServiceCode != 1 {
		t.Errorf("Decode = %+v", r)
	}
	var got []ParamType
	it := m.Unrecognized()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		got = append(got, p.Type())
	}
	if want := []ParamType{0xc042, 0x8043, 0xc044}; !equalValues(got, want) || it.Err() != nil {
		t.Errorf("Unrecognized = %v, %v; want %v", got, it.Err(), want)
	}
}

func TestUnrecognizedENRPAndErrors(t *testing.T) {
	m, err := ParseENRP(x(`05 00 00 14 ` + idsBytes + ` c0 01 00 08 00 00 00 00`))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Decode(new(ListRequest)); err != nil {
		t.Errorf("Decode: %v", err)
	}
	it := m.Unrecognized()
	if p, ok := it.Next(); !ok || p.Type() != 0xc001 || p.Type().Action() != ActionSkipReport {
		t.Errorf("Unrecognized = % x, %v", p, it.Err())
	}

	m, err = ParseENRP(x(`05 00 00 14 ` + idsBytes + ` c0 01 00 10 00 00 00 00`))
	if err != nil {
		t.Fatal(err)
	}
	it = m.Unrecognized()
	if _, ok := it.Next(); ok {
		t.Error("Unrecognized returned a parameter that overruns the message")
	}
	checkError(t, it.Err(), "parameter length", 14)
}

// RSPLIB adds a PE Identifier to its Endpoint Keep-Alive.
func TestEndpointKeepAliveRSPLIB(t *testing.T) {
	golden := x(`
		07 00 00 18 01 02 03 04 ` + handleEcho + `
		00 0e 00 08 11 22 33 44  // PE Identifier: RSPLIB only`)
	checkASAP(t, &EndpointKeepAlive{ServerID: 0x01020304, Handle: PoolHandle("echo"), PEID: 0x11223344}, golden)
}

// Decoding into a value used before must not leak what it held.
func TestDecodeReuseResetsFields(t *testing.T) {
	full := &HandleResolutionResponse{
		Accept: true, Handle: PoolHandle("echo"), Policy: Policy{Type: PolicyRandom},
		Elements: []PoolElement{peB, peA},
		Error:    OperationError{Causes: []Cause{{Code: CauseUnspecified}}},
	}
	small := &HandleResolutionResponse{Handle: PoolHandle("x"), Elements: []PoolElement{peA}}
	var r HandleResolutionResponse
	for _, v := range []*HandleResolutionResponse{full, small} {
		m, err := ParseASAP(AppendASAP(nil, v))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if !equalValues(&r, v) {
			t.Errorf("Decode = %+v, want %+v", r, v)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{CauseUnknownPoolHandle.String(), "Unknown Pool Handle"},
		{CauseCode(0x42).String(), "cause code 0x0042"},
		{DataPlusControl.String(), "data plus control"},
		{TransportUse(9).String(), "transport use 9"},
		{PolicyLeastUsedDPF.String(), "LeastUsedDPF"},
		{ASAPAnnounceAddr.String(), "239.0.0.50:3863"},
		{ENRPAnnounceAddr.String(), "239.0.0.51:9901"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
