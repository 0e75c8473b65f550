package auth_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// sessions returns the two sides of an association whose sides sign with
// the given algorithm: a peer listing only SHA-1 gets SHA-1.
func sessions(t testing.TB, algo wire.HMACID) (sender, receiver *auth.Session) {
	hmacs := hmacs256
	if algo == wire.HMACSHA1 {
		hmacs = hmacs1
	}
	local := mustParse(t, paramList(randomTLV(0x40), chunksAsconf, hmacs))
	peer := mustParse(t, paramList(randomTLV(0x50), chunksLong, hmacs))
	return pair(local, peer, auth.NewKeyring(), auth.NewKeyring())
}

var algorithms = []struct {
	name string
	id   wire.HMACID
	size int
}{{"SHA-1", wire.HMACSHA1, 20}, {"SHA-256", wire.HMACSHA256, 32}}

// TestSignVerify signs real packets and checks each way a received AUTH
// chunk can fail.
func TestSignVerify(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg.name, func(t *testing.T) {
			sender, receiver := sessions(t, alg.id)
			if got := sender.AuthLen(); got != 8+alg.size {
				t.Fatalf("AuthLen %d, want %d", got, 8+alg.size)
			}
			pkt, at := signedPacket(t, sender, 301)
			if r := verifyUnchanged(t, receiver, pkt, at); r != auth.Verified {
				t.Fatalf("Verify: %v", r)
			}
			for _, tc := range verifyCases(alg.id) {
				p := slices.Clone(pkt)
				tc.edit(p, at)
				if r := verifyUnchanged(t, receiver, p, at); r != tc.want {
					t.Errorf("%s: %v, want %v", tc.name, r, tc.want)
				}
			}
		})
	}
}

type verifyCase struct {
	name string
	edit func(pkt []byte, at int)
	want auth.Result
}

func verifyCases(algo wire.HMACID) []verifyCase {
	// The SHA-1 receiver lists SHA-1 only; the SHA-256 one lists SHA-1
	// too, whose HMAC has another size.
	other, otherWant := wire.HMACSHA256, auth.UnsupportedHMAC
	if algo == wire.HMACSHA256 {
		other, otherWant = wire.HMACSHA1, auth.Malformed
	}
	return []verifyCase{
		{"byte before AUTH changed (not covered)", func(p []byte, at int) { p[at-1] ^= 0xFF }, auth.Verified},
		{"last byte changed", func(p []byte, _ int) { p[len(p)-1] ^= 1 }, auth.BadHMAC},
		{"AUTH flags changed", func(p []byte, at int) { p[at+1] = 1 }, auth.BadHMAC},
		{"HMAC changed", func(p []byte, at int) { p[at+9] ^= 0x80 }, auth.BadHMAC},
		{"unknown key ID", func(p []byte, at int) { p[at+5] = 1 }, auth.UnknownKey},
		{"HMAC ID 2", func(p []byte, at int) { p[at+7] = 2 }, auth.UnsupportedHMAC},
		{"the other algorithm", func(p []byte, at int) { p[at+7] = byte(other) }, otherWant},
		{"AUTH truncated", func(p []byte, at int) { p[at+2], p[at+3] = 0, 7 }, auth.Malformed},
		{"HMAC field short", func(p []byte, at int) { p[at+3] -= 4 }, auth.Malformed},
		{"length past the packet", func(p []byte, at int) { p[at+2] = 0xFF }, auth.Malformed},
	}
}

// TestVerifyAnyListedAlgorithm: a receiver accepts every algorithm it
// listed, not only the one it expects the peer to pick.
func TestVerifyAnyListedAlgorithm(t *testing.T) {
	a := mustParse(t, paramList(randomTLV(1), hmacs256))
	b := mustParse(t, paramList(randomTLV(2), hmacs1))
	keys := auth.NewKeyring()
	toA, atA := auth.NewSession(b, a, keys), auth.NewSession(a, b, keys)
	if toA.HMAC() != wire.HMACSHA256 {
		t.Fatalf("signs towards a with %d, want SHA-256, a's first", toA.HMAC())
	}
	// A sender that chose SHA-1, a's second choice.
	pkt := wire.Header{}.Append(nil)
	at := len(pkt)
	pkt = (&wire.Auth{HMACID: wire.HMACSHA1, HMAC: make([]byte, 20)}).Append(pkt)
	pkt = (&wire.Asconf{Serial: 1, Address: wireAddr}).Append(pkt)
	if err := toA.Sign(pkt[at:]); err != nil {
		t.Fatal(err)
	}
	if r := atA.Verify(pkt[at:]); r != auth.Verified {
		t.Errorf("SHA-1, listed second: %v", r)
	}
}

// TestSignErrors checks what Sign refuses.
func TestSignErrors(t *testing.T) {
	sender, _ := sessions(t, wire.HMACSHA1) // the peer lists SHA-1 only
	pkt, at := buildPacket(sender, 20)
	cases := []struct {
		name string
		edit func(p []byte)
		want error
	}{
		{"not an AUTH chunk", func(p []byte) { p[at] = byte(wire.TypeData) }, auth.ErrMalformed},
		{"algorithm the peer did not list", func(p []byte) { p[at+7] = byte(wire.HMACSHA256) }, auth.ErrUnsupportedHMAC},
		{"unknown key", func(p []byte) { p[at+4] = 1 }, auth.ErrNoKey},
	}
	for _, tc := range cases {
		p := slices.Clone(pkt)
		tc.edit(p)
		if err := sender.Sign(p[at:]); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestAuthMustPrecede checks the receive loop of the example: chunks that
// must be authenticated count only after an AUTH chunk that verified.
func TestAuthMustPrecede(t *testing.T) {
	sender, receiver := sessions(t, wire.HMACSHA256)
	asconf := &wire.Asconf{Serial: 9, Address: wireAddr}
	build := func(beforeAuth, afterAuth wire.ChunkValue) wire.Packet {
		pkt := wire.Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
		pkt = beforeAuth.Append(pkt)
		at := len(pkt)
		pkt = afterAuth.Append(sender.AppendAuth(pkt))
		if err := sender.Sign(pkt[at:]); err != nil {
			t.Fatal(err)
		}
		return pkt
	}
	ack := &wire.CookieAck{} // not in the receiver's CHUNKS
	cases := []struct {
		name string
		pkt  wire.Packet
		want []wire.ChunkType
	}{
		{"ASCONF after AUTH", build(ack, asconf), []wire.ChunkType{wire.TypeCookieAck, wire.TypeAsconf}},
		{"ASCONF before AUTH", build(asconf, ack), []wire.ChunkType{wire.TypeCookieAck}},
	}
	for _, tc := range cases {
		if got, r := receive(receiver, tc.pkt); r != auth.Verified || !slices.Equal(got, tc.want) {
			t.Errorf("%s: accepted %v (%v), want %v", tc.name, got, r, tc.want)
		}
		if covers := tc.pkt.AuthCovers(wire.TypeAsconf); covers != (tc.name == "ASCONF after AUTH") {
			t.Errorf("%s: AuthCovers(ASCONF) = %v", tc.name, covers)
		}
	}
	noAuth := ack.Append(asconf.Append(wire.Header{}.Append(nil)))
	if got, _ := receive(receiver, noAuth); !slices.Equal(got, []wire.ChunkType{wire.TypeCookieAck}) {
		t.Errorf("without AUTH: accepted %v", got)
	}
}

// TestNoAllocs checks the per-packet path once a key has been used.
func TestNoAllocs(t *testing.T) {
	for _, alg := range algorithms {
		sender, receiver := sessions(t, alg.id)
		pkt, at := signedPacket(t, sender, 1000)
		receiver.Verify(pkt[at:])
		buf := make([]byte, 0, 64)
		for name, f := range map[string]func(){
			"AppendAuth": func() { buf = sender.AppendAuth(buf[:0]) },
			"Sign":       func() { _ = sender.Sign(pkt[at:]) },
			"Verify":     func() { receiver.Verify(pkt[at:]) },
		} {
			if n := testing.AllocsPerRun(100, f); n != 0 {
				t.Errorf("%s %s: %v allocations, want 0", alg.name, name, n)
			}
		}
		if r := receiver.Verify(pkt[at:]); r != auth.Verified {
			t.Errorf("%s: repeated signing broke the packet: %v", alg.name, r)
		}
	}
}

// TestSignPieces signs a packet given in pieces, as a sender that sends
// payloads from where they lie does: the HMAC is that of the packet
// whole, which the peer verifies.
func TestSignPieces(t *testing.T) {
	for _, alg := range algorithms {
		sender, receiver := sessions(t, alg.id)
		pkt, at := signedPacket(t, sender, 1001)
		whole := slices.Clone(pkt[at:])
		clear(pkt[at+8 : at+sender.AuthLen()]) // the HMAC field, as AppendAuth leaves it
		rest := pkt[at:]
		cut := sender.AuthLen() + 100
		if err := sender.Sign(rest[:cut], rest[cut:cut+500], nil, rest[cut+500:]); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pkt[at:], whole) {
			t.Errorf("%s: signed in pieces, the HMAC differs from the one signed whole", alg.name)
		}
		if r := receiver.Verify(pkt[at:]); r != auth.Verified {
			t.Errorf("%s: Verify: %v", alg.name, r)
		}
	}
}
