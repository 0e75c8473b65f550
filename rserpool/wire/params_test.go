package wire

import (
	"net/netip"
	"testing"
)

type paramCase struct {
	name   string
	v      paramValue
	golden string
}

// paramGoldens returns parameters of every type, written out by hand from
// the RFC 5354 diagrams.
func paramGoldens() []paramCase {
	return []paramCase{
		{"Pool Handle odd", ptr(PoolHandle("abc")), `00 09 00 07 61 62 63 00`},
		{"Pool Handle aligned", ptr(PoolHandle("echo")), handleEcho},
		{"Cookie", ptr(Cookie("hello")), `00 0d 00 09 68 65 6c 6c 6f 00 00 00`},
		{"Cookie empty", ptr(Cookie(nil)), `00 0d 00 04`},
		{"PE Identifier", ptr(PEID(0xdeadbeef)), `00 0e 00 08 de ad be ef`},
		{"PE Checksum", ptr(PEChecksum(0xabcd)), `00 0f 00 06 ab cd 00 00`},
		{"Handle Resolution Option", ptr(AllItems), `80 3f 00 08 ff ff ff ff`},
		{"SCTP Transport", &peA.UserTransport, `
			00 04 00 18 00 07 00 01
			00 01 00 08 c0 00 02 01
			00 01 00 08 c6 33 64 02`},
		{"TCP Transport", &Transport{Type: ParamTCPTransport, Port: 80, Use: DataPlusControl, Addrs: addrs("192.0.2.1")}, `
			00 05 00 10              // TCP Transport, length 16
			00 50 00 01              // port 80, data plus control
			00 01 00 08 c0 00 02 01`},
		{"UDP Transport", &Transport{Type: ParamUDPTransport, Port: 53, Addrs: addrs("192.0.2.1")}, `
			00 06 00 10 00 35 00 00  // port 53, reserved
			00 01 00 08 c0 00 02 01`},
		{"UDP-Lite Transport", &Transport{Type: ParamUDPLiteTransport, Port: 5000, Addrs: addrs("::1")}, `
			00 07 00 1c 13 88 00 00
			00 02 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01`},
		{"DCCP Transport", &Transport{Type: ParamDCCPTransport, Port: 5001, ServiceCode: 0x53455256, Addrs: addrs("192.0.2.1")}, `
			00 03 00 14              // DCCP Transport, length 20
			13 89 00 00              // port 5001, reserved
			53 45 52 56              // service code "SERV"
			00 01 00 08 c0 00 02 01`},
		{"IPv4-mapped address stays IPv6", &Transport{Type: ParamUDPTransport, Port: 1, Addrs: addrs("::ffff:192.0.2.1")}, `
			00 06 00 1c 00 01 00 00
			00 02 00 14 00 00 00 00 00 00 00 00 00 00 ff ff c0 00 02 01`},
		{"Pool Element", &peA, peABytes},
		{"Pool Element with ASAP transport", &peB, peBBytes},
		{"Server Information", &server10, server10Bytes},
		{"Operation Error", &OperationError{Causes: []Cause{
			{CauseInvalidValues, x(`00 0e 00 06 11 22`)},
			{CauseNonUniquePEID, nil},
		}}, `
			00 0c 00 14              // Operation Error, length 20
			00 03 00 0a              //   Invalid Values, length 10
			00 0e 00 06 11 22 00 00  //   the bad parameter, padded
			00 04 00 04              //   Non-Unique PE Identifier`},
	}
}

func TestParamGolden(t *testing.T) {
	for _, tc := range paramGoldens() {
		t.Run(tc.name, func(t *testing.T) { checkParam(t, tc.v, x(tc.golden)) })
	}
}

func ptr[T any](v T) *T { return &v }

// Length fields of nested parameters may leave out the padding of their
// last child, as the SCTP convention has it.
func TestParamUnpaddedLastChild(t *testing.T) {
	p, err := ParseParam(x(`
		00 0c 00 0e              // Operation Error, length 14: no cause padding
		00 01 00 0a 80 44 00 06 ab cd
		00 00                    // the padding, outside the length`))
	if err != nil {
		t.Fatal(err)
	}
	var e OperationError
	if err := e.Decode(p); err != nil {
		t.Fatal(err)
	}
	want := OperationError{Causes: []Cause{{CauseUnrecognizedParameter, x(`80 44 00 06 ab cd`)}}}
	if !equalValues(&e, &want) {
		t.Errorf("Decode = %+v, want %+v", e, want)
	}
}

func TestParamMalformed(t *testing.T) {
	cases := []struct {
		name  string
		v     decoder
		in    string
		field string
		off   int
	}{
		{"empty handle", new(PoolHandle), `00 09 00 04`, "Pool Handle length", 2},
		{"wrong type", new(PoolHandle), `00 0d 00 05 61 00 00 00`, "parameter type", 0},
		{"short header", new(PEID), `00 0e`, "parameter header", 0},
		{"PE Identifier too short", new(PEID), `00 0e 00 06 11 22 00 00`, "PE Identifier length", 2},
		{"PE Identifier too long", new(PEID), `00 0e 00 0c 11 22 33 44 55 66 77 88`, "PE Identifier length", 2},
		{"PE Checksum too long", new(PEChecksum), `00 0f 00 08 11 22 33 44`, "PE Checksum length", 2},
		{"Handle Resolution Option short", new(ResolutionItems), `80 3f 00 04`, "Handle Resolution Option length", 2},
		{"no error cause", new(OperationError), `00 0c 00 04`, "Operation Error length", 2},
		{"cause overruns its parameter", new(OperationError), `00 0c 00 08 00 09 00 08`, "parameter length", 6},
		{"cause length below header", new(OperationError), `00 0c 00 08 00 09 00 02`, "parameter length", 6},
		{"address overruns its transport", new(Transport), `
			00 04 00 10 00 07 00 00
			00 01 00 0c c0 00 02 01`, "parameter length", 10},
		{"IPv4 address too long", new(Transport), `
			00 06 00 14 00 07 00 00
			00 01 00 0c c0 00 02 01 00 00 00 00`, "IPv4 Address length", 10},
		{"IPv6 address too short", new(Transport), `
			00 06 00 10 00 07 00 00
			00 02 00 08 20 01 0d b8`, "IPv6 Address length", 10},
		{"transport without address", new(Transport), `00 04 00 08 00 07 00 00`, "address parameter", 8},
		{"TCP with two addresses", new(Transport), `
			00 05 00 18 00 50 00 00
			00 01 00 08 c0 00 02 01
			00 01 00 08 c0 00 02 02`, "address parameter", 8},
		{"transport shorter than its port", new(Transport), `00 04 00 06 00 07 00 00`, "transport use", 6},
		{"DCCP without service code", new(Transport), `00 03 00 08 00 07 00 00`, "DCCP service code", 8},
		{"not a transport", new(Transport), `00 09 00 08 65 63 68 6f`, "parameter type", 0},
		{"Pool Element without policy", new(PoolElement), `
			00 0a 00 28 00 00 00 01 00 00 00 00 00 00 00 00
			00 04 00 18 00 07 00 01
			00 01 00 08 c0 00 02 01
			00 01 00 08 c6 33 64 02`, "Pool Member Selection Policy parameter", 40},
		{"Pool Element too short", new(PoolElement), `00 0a 00 0c 00 00 00 01 00 00 00 02`, "registration life", 12},
		{"Pool Element with a cookie", new(PoolElement), `
			00 0a 00 30 00 00 00 01 00 00 00 00 00 00 00 00
			00 06 00 10 00 07 00 00 00 01 00 08 c0 00 02 01
			00 08 00 08 00 00 00 01
			00 0d 00 08 63 6f 6f 6b  // a Cookie where an ASAP transport may be
			`, "parameter type", 40},
		{"transport in Pool Element overruns it", new(PoolElement), `
			00 0a 00 18 00 00 00 01 00 00 00 00 00 00 00 00
			00 04 00 40 00 07 00 00`, "parameter length", 18},
		{"Server Information without transport", new(ServerInfo), `00 0b 00 08 00 00 00 0a`, "transport parameter", 8},
		{"not a Pool Element", new(PoolElement), server10Bytes, "parameter type", 0},
		{"not a Cookie", new(Cookie), `00 09 00 05 61 00 00 00`, "parameter type", 0},
		{"not a Policy", new(Policy), `00 0e 00 08 00 00 00 01`, "parameter type", 0},
		{"not an Operation Error", new(OperationError), `00 0e 00 08 00 00 00 01`, "parameter type", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := x(tc.in)
			p := Param(in)
			if len(in) >= ParamHeaderLen {
				var err error
				if p, err = ParseParam(in); err != nil {
					t.Fatalf("ParseParam: %v", err)
				}
			}
			checkError(t, tc.v.Decode(p), tc.field, tc.off)
		})
	}
}

func TestParseParamLengths(t *testing.T) {
	_, err := ParseParam(x(`00 09 00 03 61`))
	checkError(t, err, "parameter length", 2)
	_, err = ParseParam(x(`00 09 00 09 61 62 63 64`))
	checkError(t, err, "parameter length", 2)
	_, err = ParseParam(x(`00 09 00`))
	checkError(t, err, "parameter header", 0)
}

func TestParamTypeActions(t *testing.T) {
	cases := []struct {
		typ          ParamType
		action       Action
		stop, report bool
		known        bool
		name         string
	}{
		{0x0044, ActionStop, true, false, false, "parameter type 0x0044"},
		{0x4045, ActionStopReport, true, true, false, "parameter type 0x4045"},
		{0x8046, ActionSkip, false, false, false, "parameter type 0x8046"},
		{0xc047, ActionSkipReport, false, true, false, "parameter type 0xc047"},
		{ParamHandleResolutionOption, ActionSkip, false, false, true, "Handle Resolution Option"},
		{ParamPoolHandle, ActionStop, true, false, true, "Pool Handle"},
		{0, ActionStop, true, false, false, "parameter type 0x0000"},
		{0x0010, ActionStop, true, false, false, "parameter type 0x0010"},
	}
	for _, tc := range cases {
		a := tc.typ.Action()
		if a != tc.action || a.Stop() != tc.stop || a.Report() != tc.report || tc.typ.Known() != tc.known || tc.typ.String() != tc.name {
			t.Errorf("%#04x: action %d stop %v report %v known %v %q, want %d %v %v %v %q", uint16(tc.typ),
				a, a.Stop(), a.Report(), tc.typ.Known(), tc.typ.String(), tc.action, tc.stop, tc.report, tc.known, tc.name)
		}
	}
}

func TestAddressDecodingKeepsFamily(t *testing.T) {
	var tr Transport
	p, _ := ParseParam(x(`00 06 00 10 00 35 00 00 00 01 00 08 7f 00 00 01`))
	if err := tr.Decode(p); err != nil {
		t.Fatal(err)
	}
	if got := tr.Addrs[0]; got != netip.MustParseAddr("127.0.0.1") || !got.Is4() {
		t.Errorf("address = %v, want IPv4 127.0.0.1", got)
	}
}
