package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"net/netip"
	"testing"
)

func countingBytes(from byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = from + byte(i)
	}
	return b
}

func TestAuthGolden(t *testing.T) {
	cases := []struct {
		name   string
		v      Auth
		golden []byte
	}{
		{"SHA-1", Auth{KeyID: 1, HMACID: HMACSHA1, HMAC: countingBytes(0xA0, 20)},
			append(hexb(0x0F, 0, 0, 28, 0, 1, 0, 1), countingBytes(0xA0, 20)...)},
		{"SHA-256 key 0xFFFF", Auth{KeyID: 0xFFFF, HMACID: HMACSHA256, HMAC: countingBytes(0, 32)},
			append(hexb(0x0F, 0, 0, 40, 0xFF, 0xFF, 0, 3), countingBytes(0, 32)...)},
		{"odd HMAC is padded", Auth{KeyID: 2, HMACID: 9, HMAC: []byte{1, 2, 3}},
			hexb(0x0F, 0, 0, 11, 0, 2, 0, 9, 1, 2, 3, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkChunk(t, &tc.v, tc.golden) })
	}
}

func TestAuthMalformed(t *testing.T) {
	checkMalformed[Auth](t, hexb(0x0F, 0, 0, 6, 0, 1), "AUTH chunk", 0)
	checkMalformed[Auth](t, hexb(0x0E, 0, 0, 8, 0, 1, 0, 1), "chunk type", 0)
}

// TestAuthHMACSignAndVerify follows RFC 4895 section 6.2: the HMAC covers
// the AUTH chunk with a zeroed HMAC field and everything after it.
func TestAuthHMACSignAndVerify(t *testing.T) {
	key := []byte("association shared key")
	asconf := &Asconf{Serial: 1, Address: netip.MustParseAddr("192.0.2.1")}
	pkt := packetOf(&Sack{CumTSN: 1}, &Auth{KeyID: 0, HMACID: HMACSHA1, HMAC: make([]byte, sha1.Size)}, asconf)
	const authAt = CommonHeaderLen + sackHeaderLen
	signed := pkt[authAt:]

	field, err := AuthHMAC(signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(field) != sha1.Size {
		t.Fatalf("HMAC field is %d bytes", len(field))
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(signed)
	copy(field, mac.Sum(nil))
	if !bytes.Equal(pkt[authAt+AuthHMACOffset:authAt+AuthHMACOffset+sha1.Size], field) {
		t.Fatal("the HMAC field does not alias the packet")
	}

	verify := func() bool {
		f, err := AuthHMAC(pkt[authAt:])
		if err != nil {
			t.Fatal(err)
		}
		got := bytes.Clone(f)
		clear(f)
		mac := hmac.New(sha1.New, key)
		mac.Write(pkt[authAt:])
		ok := hmac.Equal(got, mac.Sum(nil))
		copy(f, got)
		return ok
	}
	if !verify() {
		t.Fatal("a correctly signed packet does not verify")
	}
	pkt[len(pkt)-1] ^= 0x40 // a bit of the ASCONF after the AUTH chunk
	if verify() {
		t.Fatal("a packet changed after the AUTH chunk verifies")
	}
}

func TestAuthHMACErrors(t *testing.T) {
	_, err := AuthHMAC(hexb(0x0F, 0, 0, 7, 0, 1, 0))
	wantParseError(t, nil, err, "AUTH chunk", 0)
	_, err = AuthHMAC(hexb(0xC1, 0, 0, 8, 0, 0, 0, 1))
	wantParseError(t, nil, err, "chunk type", 0)
	_, err = AuthHMAC(hexb(0x0F, 0, 0, 12, 0, 1, 0, 1))
	wantParseError(t, nil, err, "chunk length", 2)
}

func TestAuthCovers(t *testing.T) {
	auth := &Auth{HMACID: HMACSHA1, HMAC: make([]byte, 20)}
	asconf := &Asconf{Serial: 1, Address: netip.MustParseAddr("::1")}
	ack := &AsconfAck{Serial: 1}
	sack := &Sack{CumTSN: 1}
	cases := []struct {
		name      string
		pkt       Packet
		asconf    bool // AuthCovers(TypeAsconf)
		asconfAck bool // AuthCovers(TypeAsconfAck)
	}{
		{"AUTH then ASCONF", packetOf(auth, asconf), true, true},
		{"ASCONF then AUTH", packetOf(asconf, auth), false, true},
		{"no AUTH", packetOf(sack, asconf), false, true},
		{"SACK, AUTH, ASCONF-ACK, ASCONF", packetOf(sack, auth, ack, asconf), true, true},
		{"ASCONF-ACK, AUTH, ASCONF", packetOf(ack, auth, asconf), true, false},
		{"neither chunk", packetOf(sack), true, true},
		{"malformed after AUTH, ASCONF", Packet(append(packetOf(auth, asconf), 0, 0, 0, 9)), false, false},
		{"short packet", Packet(hexb(1, 2, 3)), true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.pkt.AuthCovers(TypeAsconf); got != tc.asconf {
				t.Errorf("AuthCovers(ASCONF) = %v, want %v", got, tc.asconf)
			}
			if got := tc.pkt.AuthCovers(TypeAsconfAck); got != tc.asconfAck {
				t.Errorf("AuthCovers(ASCONF-ACK) = %v, want %v", got, tc.asconfAck)
			}
		})
	}
}

func TestAuthParamsGolden(t *testing.T) {
	t.Run("RANDOM", func(t *testing.T) {
		checkParam(t, &RandomParam{Number: []byte{1, 2, 3, 4}}, hexb(0x80, 0x02, 0, 8, 1, 2, 3, 4))
		checkParam(t, &RandomParam{Number: []byte{9, 8, 7, 6, 5}}, hexb(0x80, 0x02, 0, 9, 9, 8, 7, 6, 5))
	})
	t.Run("CHUNKS", func(t *testing.T) {
		checkParam(t, &ChunkListParam{Types: []ChunkType{TypeAsconf, TypeAsconfAck, TypeIData}},
			hexb(0x80, 0x03, 0, 7, 0xC1, 0x80, 0x40))
		checkParam(t, &ChunkListParam{}, hexb(0x80, 0x03, 0, 4))
	})
	t.Run("HMAC-ALGO", func(t *testing.T) {
		checkParam(t, &HMACAlgoParam{IDs: []HMACID{HMACSHA256, HMACSHA1}}, hexb(0x80, 0x04, 0, 8, 0, 3, 0, 1))
		checkParam(t, &HMACAlgoParam{IDs: []HMACID{HMACSHA1}}, hexb(0x80, 0x04, 0, 6, 0, 1))
	})
	t.Run("Unsupported HMAC Identifier", func(t *testing.T) {
		checkCause(t, &UnsupportedHMACCause{ID: 2}, hexb(0x01, 0x05, 0, 6, 0, 2))
	})
}

func TestUnsupportedHMACCountedPadding(t *testing.T) {
	var u UnsupportedHMACCause
	if err := u.Decode(Cause(hexb(0x01, 0x05, 0, 8, 0, 7, 0, 0))); err != nil || u.ID != 7 {
		t.Errorf("Decode = %v, ID %d", err, u.ID)
	}
}

func TestAuthParamsMalformed(t *testing.T) {
	checkParamMalformed[HMACAlgoParam](t, hexb(0x80, 0x04, 0, 7, 0, 1, 0), "Requested HMAC Algorithm length", 2)
	checkParamMalformed[RandomParam](t, hexb(0x80, 0x03, 0, 4), "parameter type", 0)
	checkParamMalformed[ChunkListParam](t, hexb(0x80, 0x03), "parameter header", 0)
	checkCauseMalformed[UnsupportedHMACCause](t, hexb(0x01, 0x05, 0, 5, 0), "Unsupported HMAC Identifier value", 4)
	checkCauseMalformed[UnsupportedHMACCause](t, hexb(0x01, 0x05, 0, 10, 0, 1, 0, 0, 0, 0), "Unsupported HMAC Identifier length", 2)
	checkCauseMalformed[UnsupportedHMACCause](t, hexb(0x00, 0xA0, 0, 6, 0, 1), "cause code", 0)
}

func TestAuthParamsReuseSlices(t *testing.T) {
	chunks := Param(hexb(0x80, 0x03, 0, 7, 0xC1, 0x80, 0x40))
	algo := Param(hexb(0x80, 0x04, 0, 8, 0, 3, 0, 1))
	var l ChunkListParam
	var h HMACAlgoParam
	noAllocs(t, "CHUNKS", func() { _ = l.Decode(chunks) })
	noAllocs(t, "HMAC-ALGO", func() { _ = h.Decode(algo) })
}
