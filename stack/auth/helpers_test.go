package auth_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"net/netip"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Parameters written by hand from the layouts of RFC 4895 section 3, each
// without its padding.

// randomTLV is a RANDOM parameter (type 0x8002, length 36) whose Random
// Number counts up from first.
func randomTLV(first byte) []byte {
	b := []byte{0x80, 0x02, 0x00, 0x24}
	for i := range byte(auth.RandomLen) {
		b = append(b, first+i)
	}
	return b
}

var (
	// CHUNKS (0x8003) listing ASCONF (0xC1) and ASCONF-ACK (0x80).
	chunksAsconf = []byte{0x80, 0x03, 0x00, 0x06, 0xC1, 0x80}
	// CHUNKS listing DATA, SACK, AUTH (to be ignored), ASCONF, ASCONF-ACK.
	chunksLong = []byte{0x80, 0x03, 0x00, 0x09, 0x00, 0x03, 0x0F, 0xC1, 0x80}
	// HMAC-ALGO (0x8004) listing SHA-256 (3), then SHA-1 (1).
	hmacs256 = []byte{0x80, 0x04, 0x00, 0x08, 0x00, 0x03, 0x00, 0x01}
	// HMAC-ALGO listing SHA-1 only.
	hmacs1 = []byte{0x80, 0x04, 0x00, 0x06, 0x00, 0x01}
	// Supported Extensions (0x8008) listing ASCONF: not part of any key vector.
	supportedExt = []byte{0x80, 0x08, 0x00, 0x05, 0xC1}
)

// paramList lays parameters out as an INIT does, each padded to four bytes.
func paramList(params ...[]byte) wire.Params {
	var l []byte
	for _, p := range params {
		l = append(l, p...)
		for len(l)%4 != 0 {
			l = append(l, 0)
		}
	}
	return l
}

// mustParse parses a parameter list that is known to be good.
func mustParse(t testing.TB, ps wire.Params) *auth.Params {
	t.Helper()
	p, err := auth.ParseParams(ps)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hashOf returns the hash an HMAC identifier names.
func hashOf(id wire.HMACID) func() hash.Hash {
	if id == wire.HMACSHA1 {
		return sha1.New
	}
	return sha256.New
}

// expectedHMAC computes, with the standard library alone, the HMAC that the
// AUTH chunk at offset at of pkt must carry under the association key key.
func expectedHMAC(pkt []byte, at int, key []byte) []byte {
	covered := bytes.Clone(pkt[at:])
	var a wire.Auth
	c, _ := wire.ParseChunk(covered)
	if err := a.Decode(c); err != nil {
		panic(err)
	}
	clear(a.HMAC)
	m := hmac.New(hashOf(a.HMACID), key)
	m.Write(covered)
	return m.Sum(nil)
}

// buildPacket returns a packet SACK, AUTH (by s), DATA with n payload bytes,
// not yet signed, and the offset of the AUTH chunk.
func buildPacket(s *auth.Session, n int) (pkt []byte, at int) {
	pkt = wire.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: 0xCAFEF00D}.Append(nil)
	pkt = (&wire.Sack{CumTSN: 7, ARwnd: 65536}).Append(pkt)
	at = len(pkt)
	pkt = s.AppendAuth(pkt)
	payload := make([]byte, n)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	pkt = (&wire.Data{Flags: wire.FlagBegin | wire.FlagEnd, TSN: 1, PPID: 51, Payload: payload}).Append(pkt)
	return pkt, at
}

// signedPacket is buildPacket followed by Sign.
func signedPacket(t testing.TB, s *auth.Session, n int) (pkt []byte, at int) {
	t.Helper()
	pkt, at = buildPacket(s, n)
	if err := s.Sign(pkt[at:]); err != nil {
		t.Fatal(err)
	}
	return pkt, at
}

// pair returns the two sessions of one association between endpoints that
// sent a and b.
func pair(a, b *auth.Params, keysA, keysB *auth.Keyring) (sa, sb *auth.Session) {
	return auth.NewSession(a, b, keysA), auth.NewSession(b, a, keysB)
}

// verifyUnchanged runs Verify and checks that it left the packet as it was.
func verifyUnchanged(t *testing.T, s *auth.Session, pkt []byte, at int) auth.Result {
	t.Helper()
	before := slices.Clone(pkt)
	r := s.Verify(pkt[at:])
	if !bytes.Equal(before, pkt) {
		t.Fatalf("Verify (%v) changed the packet", r)
	}
	return r
}

var wireAddr = netip.MustParseAddr("192.0.2.1")
