package auth_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestNewParams checks the parameters we put in INIT and INIT ACK.
func TestNewParams(t *testing.T) {
	p := auth.NewParams([]wire.ChunkType{wire.TypeData, wire.TypeInit, wire.TypeSack, wire.TypeAuth,
		wire.TypeShutdownComplete, wire.TypeInitAck, wire.TypeData, wire.TypeAsconf})
	ps := p.AppendTo(nil)

	random, ok := ps.Find(wire.ParamRandom)
	if !ok || len(random.Value()) != auth.RandomLen {
		t.Fatalf("RANDOM parameter % x", random)
	}
	var chunks wire.ChunkListParam
	if c, ok := ps.Find(wire.ParamChunks); !ok || chunks.Decode(c) != nil {
		t.Fatal("no CHUNKS parameter")
	}
	// Duplicates and unauthenticable types gone, ASCONF-ACK added.
	want := []wire.ChunkType{wire.TypeData, wire.TypeSack, wire.TypeAsconfAck, wire.TypeAsconf}
	if !slices.Equal(chunks.Types, want) {
		t.Errorf("CHUNKS lists %v, want %v", chunks.Types, want)
	}
	var hmacs wire.HMACAlgoParam
	if h, ok := ps.Find(wire.ParamHMACAlgo); !ok || hmacs.Decode(h) != nil {
		t.Fatal("no HMAC-ALGO parameter")
	}
	if len(hmacs.IDs) != 2 || hmacs.IDs[0] != wire.HMACSHA256 || hmacs.IDs[1] != wire.HMACSHA1 {
		t.Errorf("HMAC-ALGO lists %v, want [3 1]", hmacs.IDs)
	}

	again, _ := auth.NewParams(nil).AppendTo(nil).Find(wire.ParamRandom)
	if bytes.Equal(random, again) {
		t.Error("two associations got the same RANDOM")
	}
	var none wire.ChunkListParam
	if c, _ := auth.NewParams(nil).AppendTo(nil).Find(wire.ParamChunks); none.Decode(c) != nil ||
		!slices.Equal(none.Types, []wire.ChunkType{wire.TypeAsconfAck, wire.TypeAsconf}) {
		t.Errorf("with no chunks configured, CHUNKS lists %v", none.Types)
	}
}

// TestParamsRoundTrip reads our parameters back, as from a state cookie:
// the session built from the copy must interoperate with the original.
func TestParamsRoundTrip(t *testing.T) {
	ours := auth.NewParams([]wire.ChunkType{wire.TypeData})
	back := mustParse(t, ours.AppendTo(paramList(supportedExt)))
	if !bytes.Equal(back.AppendTo(nil), ours.AppendTo(nil)) {
		t.Fatalf("parameters changed on the way back:\n% x\n% x", back.AppendTo(nil), ours.AppendTo(nil))
	}
	peer := auth.NewParams(nil)
	keys := auth.NewKeyring()
	a := auth.NewSession(ours, peer, keys)
	b := auth.NewSession(peer, back, keys)
	pkt, at := signedPacket(t, b, 64)
	if r := a.Verify(pkt[at:]); r != auth.Verified {
		t.Fatalf("Verify: %v", r)
	}
}

// TestParseParamsErrors checks the validation of the peer's parameters.
func TestParseParamsErrors(t *testing.T) {
	short := randomTLV(0)[:35]
	short[3] = 35
	long := append(randomTLV(0), 0x20)
	long[3] = 37
	cases := []struct {
		name string
		ps   wire.Params
		want error
	}{
		{"nothing", paramList(supportedExt), auth.ErrNotSupported},
		{"no RANDOM", paramList(chunksAsconf, hmacs256), auth.ErrNotSupported},
		{"no HMAC-ALGO", paramList(randomTLV(0), chunksAsconf), auth.ErrNotSupported},
		{"31-byte RANDOM", paramList(short, hmacs256), auth.ErrRandomLength},
		{"33-byte RANDOM", paramList(long, hmacs256), auth.ErrRandomLength},
		{"no SHA-1", paramList(randomTLV(0), []byte{0x80, 0x04, 0x00, 0x06, 0x00, 0x03}), auth.ErrNoSHA1},
		{"empty HMAC-ALGO", paramList(randomTLV(0), []byte{0x80, 0x04, 0x00, 0x04}), auth.ErrNoSHA1},
	}
	for _, tc := range cases {
		if _, err := auth.ParseParams(tc.ps); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	odd := paramList(randomTLV(0), []byte{0x80, 0x04, 0x00, 0x07, 0x00, 0x01, 0x00})
	if _, err := auth.ParseParams(odd); err == nil {
		t.Error("odd-length HMAC-ALGO accepted")
	}
	// Unknown algorithms are skipped when choosing.
	p := mustParse(t, paramList(randomTLV(0), []byte{0x80, 0x04, 0x00, 0x0A, 0x00, 0x02, 0x00, 0x09, 0x00, 0x01}))
	if got := auth.NewSession(auth.NewParams(nil), p, auth.NewKeyring()).HMAC(); got != wire.HMACSHA1 {
		t.Errorf("with peer list [2 9 1], signs with %d", got)
	}
}

// TestNeedsAuth checks which list governs each direction.
func TestNeedsAuth(t *testing.T) {
	ours := mustParse(t, paramList(randomTLV(0), chunksAsconf, hmacs256))
	// The peer lists DATA, SACK, AUTH (ignored), ASCONF, ASCONF-ACK.
	peer := mustParse(t, paramList(randomTLV(1), chunksLong, hmacs1))
	s := auth.NewSession(ours, peer, auth.NewKeyring())
	for _, tc := range []struct {
		t          wire.ChunkType
		send, recv bool
	}{
		{wire.TypeData, true, false},
		{wire.TypeSack, true, false},
		{wire.TypeAsconf, true, true},
		{wire.TypeAsconfAck, true, true},
		{wire.TypeAuth, false, false},
		{wire.TypeHeartbeat, false, false},
	} {
		if got := s.SendNeedsAuth(tc.t); got != tc.send {
			t.Errorf("SendNeedsAuth(%v) = %v", tc.t, got)
		}
		if got := s.RecvNeedsAuth(tc.t); got != tc.recv {
			t.Errorf("RecvNeedsAuth(%v) = %v", tc.t, got)
		}
	}
	noChunks := mustParse(t, paramList(randomTLV(2), hmacs256))
	if auth.NewSession(ours, noChunks, auth.NewKeyring()).SendNeedsAuth(wire.TypeAsconf) {
		t.Error("a peer without CHUNKS asks for authenticated ASCONF")
	}
}
