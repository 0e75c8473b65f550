package wire

import "testing"

// ids is the ENRP header of the goldens: registrar 0x0a to 0x0b.
var ids = ENRPHeader{Sender: 0x0a, Receiver: 0x0b}

const idsBytes = `
	00 00 00 0a  // sending server's ID
	00 00 00 0b  // receiving server's ID
`

type enrpCase struct {
	name   string
	v      ENRPValue
	golden string
}

// enrpGoldens returns a message of every ENRP type, written out by hand
// from the RFC 5353 diagrams.
func enrpGoldens() []enrpCase {
	return []enrpCase{
		{"Presence", &Presence{ENRPHeader: ids, ReplyRequired: true, Checksum: 0xbeef, Server: server10}, `
			01 01 00 2c  // Presence, R flag, length 44
			` + idsBytes + `
			00 0f 00 06 be ef 00 00  // PE Checksum, padded
			` + server10Bytes},
		{"Presence to all, no server information", &Presence{ENRPHeader: ENRPHeader{Sender: 0x0a}, Checksum: 0x1234}, `
			01 00 00 14
			00 00 00 0a 00 00 00 00
			00 0f 00 06 12 34 00 00`},
		{"Handle Table Request", &HandleTableRequest{ENRPHeader: ids, OwnChildrenOnly: true}, `
			02 01 00 0c ` + idsBytes},
		{"Handle Table Response", &HandleTableResponse{ENRPHeader: ids, MoreToSend: true, Entries: []PoolEntry{
			{Handle: PoolHandle("echo"), Elements: []PoolElement{peA, peB}},
			{Handle: PoolHandle("abc"), Elements: []PoolElement{peA}},
		}}, `
			03 02 00 cc  // Handle Table Response, M flag, length 204
			` + idsBytes + handleEcho + peABytes + peBBytes + `
			00 09 00 07 61 62 63 00  // Pool Handle "abc", padded
			` + peABytes},
		{"Handle Table Response rejected", &HandleTableResponse{ENRPHeader: ids, Reject: true}, `
			03 01 00 0c ` + idsBytes},
		{"Handle Update", &HandleUpdate{
			ENRPHeader: ids, TakeoverSuggested: true, Action: DelPE, Handle: PoolHandle("echo"), Element: peB,
		}, `
			04 01 00 60  // Handle Update, T flag, length 96
			` + idsBytes + `
			00 01 00 00  // delete PE, reserved
			` + handleEcho + peBBytes},
		{"List Request", &ListRequest{ENRPHeader: ids}, `
			05 00 00 0c ` + idsBytes},
		{"List Response", &ListResponse{ENRPHeader: ids, Servers: []ServerInfo{server10, {
			ID: 0x0c,
			Transport: Transport{
				Type: ParamSCTPTransport, Port: PortENRP, Addrs: addrs("2001:db8::c", "192.0.2.12"),
			},
		}}}, `
			06 00 00 50  // List Response, length 80
			` + idsBytes + server10Bytes + `
			00 0b 00 2c  // Server Information, length 44
			00 00 00 0c  //   server ID
			00 04 00 24  //   SCTP Transport, length 36
			26 ad 00 00  //     port 9901
			00 02 00 14 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0c
			00 01 00 08 c0 00 02 0c`},
		{"List Response rejected", &ListResponse{ENRPHeader: ids, Reject: true}, `
			06 01 00 0c ` + idsBytes},
		{"Init Takeover", &InitTakeover{ENRPHeader: ids, Target: 0x0d}, `
			07 00 00 10 ` + idsBytes + `00 00 00 0d  // target`},
		{"Init Takeover Ack", &InitTakeoverAck{ENRPHeader: ids, Target: 0x0d}, `
			08 00 00 10 ` + idsBytes + `00 00 00 0d`},
		{"Takeover Server", &TakeoverServer{ENRPHeader: ids, Target: 0x0d}, `
			09 00 00 10 ` + idsBytes + `00 00 00 0d`},
		{"Error", &ENRPErrorMessage{ENRPHeader: ids, Error: OperationError{Causes: []Cause{
			{CauseUnrecognizedMessage, x(`ff 00 00 04`)},
		}}}, `
			0a 00 00 18 ` + idsBytes + `
			00 0c 00 0c              // Operation Error, length 12
			00 02 00 08 ff 00 00 04  //   Unrecognized Message: the message`},
	}
}

func TestENRPGolden(t *testing.T) {
	seen := map[ENRPType]bool{}
	for _, tc := range enrpGoldens() {
		t.Run(tc.name, func(t *testing.T) { checkENRP(t, tc.v, x(tc.golden)) })
		seen[tc.v.ENRPType()] = true
	}
	for typ := ENRPPresence; typ.Known(); typ++ {
		if !seen[typ] {
			t.Errorf("no golden test for %s", typ)
		}
	}
}

func TestENRPNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{ENRPHandleTableResponse.String(), "ENRP Handle Table Response"},
		{ENRPType(0x0b).String(), "ENRP type 0x0b"},
		{DelPE.String(), "delete PE"},
		{UpdateAction(7).String(), "update action 7"},
	} {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
}
