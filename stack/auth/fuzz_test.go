package auth_test

import (
	"bytes"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// FuzzVerify verifies arbitrary packets with fixed keys, at the start of
// the input and at every AUTH chunk of it taken as a packet. Verify must
// not panic, must leave its input unchanged, and must accept only what
// signing would reproduce.
func FuzzVerify(f *testing.F) {
	var receivers [2]*auth.Session
	for i, alg := range algorithms {
		sender, receiver := sessions(f, alg.id)
		receiver.Keys().Set(1, []byte("key one"))
		receivers[i] = receiver
		pkt, at := signedPacket(f, sender, 40)
		f.Add(pkt)
		f.Add(pkt[at:])
		f.Add(pkt[:len(pkt)-1])
	}
	f.Add([]byte{0x0F, 0, 0, 8, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range receivers {
			check(t, s, b)
			it := wire.Packet(b).Chunks()
			for c, ok := it.Next(); ok; c, ok = it.Next() {
				if c.Type() == wire.TypeAuth {
					check(t, s, b[it.Offset():])
				}
			}
		}
	})
}

func check(t *testing.T, s *auth.Session, b []byte) {
	before := bytes.Clone(b)
	r := s.Verify(b)
	if !bytes.Equal(b, before) {
		t.Fatalf("Verify (%v) changed its input", r)
	}
	if r != auth.Verified {
		return
	}
	// Only a correctly signed chunk verifies: signing it again, with
	// the key and algorithm it names, must change nothing.
	if err := s.Sign(b); err != nil || !bytes.Equal(b, before) {
		t.Fatalf("verified, but signing again gives %v, % x", err, b)
	}
}
