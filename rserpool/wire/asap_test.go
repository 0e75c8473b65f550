package wire

import "testing"

type asapCase struct {
	name   string
	v      ASAPValue
	golden string
}

// asapGoldens returns a message of every ASAP type, written out by hand
// from the RFC 5352 diagrams.
func asapGoldens() []asapCase {
	return []asapCase{
		{"Registration", &Registration{Handle: PoolHandle("echo"), Element: peA}, `
			01 00 00 40  // Registration, length 64
			` + handleEcho + peABytes},
		{"Deregistration odd handle", &Deregistration{Handle: PoolHandle("abc"), PEID: 0x11223344}, `
			02 00 00 14              // Deregistration, length 20
			00 09 00 07 61 62 63 00  // Pool Handle "abc", padded
			00 0e 00 08 11 22 33 44  // PE Identifier`},
		{"Registration Response accepted", &RegistrationResponse{Handle: PoolHandle("echo"), PEID: 1}, `
			03 00 00 14  // Registration Response, length 20
			` + handleEcho + `
			00 0e 00 08 00 00 00 01`},
		{"Registration Response rejected", &RegistrationResponse{
			Reject: true, Handle: PoolHandle("echo"), PEID: 0x11223344,
			Error: OperationError{Causes: []Cause{
				{CauseInconsistentPolicy, x(`00 08 00 0c 40 00 00 01 80 00 00 00`)},
				{CauseLackOfResources, nil},
			}},
		}, `
			03 01 00 2c  // Registration Response, R flag, length 44
			` + handleEcho + `
			00 0e 00 08 11 22 33 44  // PE Identifier
			00 0c 00 18              // Operation Error, length 24
			00 05 00 10              //   Inconsistent Pooling Policy, length 16
			00 08 00 0c 40 00 00 01 80 00 00 00  // the policy
			00 06 00 04              //   Lack of Resources`},
		{"Deregistration Response", &DeregistrationResponse{Handle: PoolHandle("echo"), PEID: 0x11223344}, `
			04 00 00 14
			` + handleEcho + `
			00 0e 00 08 11 22 33 44`},
		{"Deregistration Response error", &DeregistrationResponse{
			Handle: PoolHandle("echo"), PEID: 0x11223344,
			Error: OperationError{Causes: []Cause{{Code: CauseUnknownPoolHandle}}},
		}, `
			04 00 00 1c
			` + handleEcho + `
			00 0e 00 08 11 22 33 44
			00 0c 00 08 00 09 00 04  // Operation Error: Unknown Pool Handle`},
		{"Handle Resolution", &HandleResolution{Handle: PoolHandle("echo")}, `
			05 00 00 0c ` + handleEcho},
		{"Handle Resolution one-byte handle", &HandleResolution{Handle: PoolHandle("x")}, `
			05 00 00 0c 00 09 00 05 78 00 00 00`},
		{"Handle Resolution with option", &HandleResolution{Handle: PoolHandle("echo"), Items: 3}, `
			05 00 00 14 ` + handleEcho + `
			80 3f 00 08 00 00 00 03  // Handle Resolution Option: 3 items`},
		{"Handle Resolution Response", &HandleResolutionResponse{
			Accept: true, Handle: PoolHandle("echo"),
			Policy: Policy{Type: PolicyLeastUsed}, Elements: []PoolElement{peA, peB},
		}, `
			06 01 00 94  // Handle Resolution Response, A flag, length 148
			` + handleEcho + `
			00 08 00 0c 40 00 00 01 00 00 00 00  // overall policy: Least Used
			` + peABytes + peBBytes},
		{"Handle Resolution Response error", &HandleResolutionResponse{
			Handle: PoolHandle("nope"),
			Error:  OperationError{Causes: []Cause{{Code: CauseUnknownPoolHandle}}},
		}, `
			06 00 00 14
			00 09 00 08 6e 6f 70 65
			00 0c 00 08 00 09 00 04`},
		{"Endpoint Keep-Alive", &EndpointKeepAlive{Home: true, ServerID: 0x01020304, Handle: PoolHandle("echo")}, `
			07 01 00 10  // Endpoint Keep-Alive, H flag
			01 02 03 04  // server's identifier
			` + handleEcho},
		{"Endpoint Keep-Alive Ack", &EndpointKeepAliveAck{Handle: PoolHandle("echo"), PEID: 0x11223344}, `
			08 00 00 14 ` + handleEcho + `
			00 0e 00 08 11 22 33 44`},
		{"Endpoint Unreachable", &EndpointUnreachable{Handle: PoolHandle("echo"), PEID: 0x11223344}, `
			09 00 00 14 ` + handleEcho + `
			00 0e 00 08 11 22 33 44`},
		{"Server Announce", &ServerAnnounce{ServerID: 0x01020304, Transports: []Transport{
			{Type: ParamSCTPTransport, Port: PortASAP, Addrs: addrs("192.0.2.10")},
			{Type: ParamTCPTransport, Port: PortASAP, Addrs: addrs("2001:db8::a")},
		}}, `
			0a 00 00 34              // Server Announce, length 52
			01 02 03 04              // server's identifier
			00 04 00 10 0f 17 00 00  // SCTP Transport, port 3863
			00 01 00 08 c0 00 02 0a  //   192.0.2.10
			00 05 00 1c 0f 17 00 00  // TCP Transport, port 3863
			00 02 00 14 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0a`},
		{"Server Announce bare", &ServerAnnounce{ServerID: 0x01020304}, `
			0a 00 00 08 01 02 03 04`},
		{"Cookie", &CookieMessage{Cookie: Cookie("hello")}, `
			0b 00 00 10
			00 0d 00 09 68 65 6c 6c 6f 00 00 00  // Cookie "hello", padded`},
		{"Cookie Echo", &CookieEcho{Cookie: Cookie("hello")}, `
			0c 00 00 10
			00 0d 00 09 68 65 6c 6c 6f 00 00 00`},
		{"Business Card", &BusinessCard{
			Handle: PoolHandle("echo"), Policy: Policy{Type: PolicyRoundRobin}, Elements: []PoolElement{peA},
		}, `
			0d 00 00 48 ` + handleEcho + `
			00 08 00 08 00 00 00 01  // Round Robin
			` + peABytes},
		{"Error", &ASAPErrorMessage{Error: OperationError{Causes: []Cause{
			{CauseUnrecognizedParameter, x(`80 44 00 06 ab cd`)},
		}}}, `
			0e 00 00 14
			00 0c 00 10              // Operation Error, length 16
			00 01 00 0a              //   Unrecognized Parameter, length 10
			80 44 00 06 ab cd 00 00  //   the parameter, and the cause's padding`},
	}
}

func TestASAPGolden(t *testing.T) {
	seen := map[ASAPType]bool{}
	for _, tc := range asapGoldens() {
		t.Run(tc.name, func(t *testing.T) { checkASAP(t, tc.v, x(tc.golden)) })
		seen[tc.v.ASAPType()] = true
	}
	for typ := ASAPRegistration; typ.Known(); typ++ {
		if !seen[typ] {
			t.Errorf("no golden test for %s", typ)
		}
	}
}

func TestASAPTypeNames(t *testing.T) {
	for _, tc := range []struct {
		typ  ASAPType
		want string
	}{
		{ASAPRegistration, "ASAP Registration"},
		{ASAPError, "ASAP Error"},
		{0x0f, "ASAP type 0x0f"},
		{0, "ASAP type 0x00"},
	} {
		if got := tc.typ.String(); got != tc.want {
			t.Errorf("%d.String() = %q, want %q", uint8(tc.typ), got, tc.want)
		}
	}
}
