package auth_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestAssociationKey checks the key derivation of RFC 4895 section 6.1
// against keys assembled by hand: each key vector is the RANDOM, CHUNKS and
// HMAC-ALGO parameters as sent, headers included and padding left out; the
// association key is the endpoint-pair shared key, then the numerically
// smaller vector, then the larger. Each side's signature must match the
// HMAC computed by the standard library under that key, and the algorithm
// must be the first one of the receiver's list.
func TestAssociationKey(t *testing.T) {
	// Side A: Supported Extensions (not in the vector), RANDOM 0x10..,
	// CHUNKS {ASCONF, ASCONF-ACK}, HMAC-ALGO {SHA-256, SHA-1}: 36+6+8 bytes.
	listA := paramList(supportedExt, randomTLV(0x10), chunksAsconf, hmacs256)
	vecA := slices.Concat(randomTLV(0x10), chunksAsconf, hmacs256)
	// Side B: as A with a larger Random Number: same length, larger number.
	listB := paramList(randomTLV(0x20), chunksAsconf, hmacs256)
	vecB := slices.Concat(randomTLV(0x20), chunksAsconf, hmacs256)
	// Side C: a smaller Random Number but a longer vector (36+9+6 bytes),
	// so numerically larger: a bytewise comparison would order it first.
	listC := paramList(randomTLV(0x00), chunksLong, hmacs1)
	vecC := slices.Concat(randomTLV(0x00), chunksLong, hmacs1)
	// Side D: no CHUNKS parameter at all (36+8 bytes).
	listD := paramList(hmacs256, randomTLV(0xF0))
	vecD := slices.Concat(randomTLV(0xF0), hmacs256)

	secret := []byte("endpoint pair shared key")
	cases := []struct {
		name         string
		x, y         wire.Params
		lo, hi       []byte // the key vectors, smaller first
		shared       []byte // nil: key 0, empty
		xAlgo, yAlgo wire.HMACID
	}{
		{"equal lengths", listA, listB, vecA, vecB, nil, wire.HMACSHA256, wire.HMACSHA256},
		{"equal lengths, shared key", listB, listA, vecA, vecB, secret, wire.HMACSHA256, wire.HMACSHA256},
		{"unequal lengths", listA, listC, vecA, vecC, nil, wire.HMACSHA1, wire.HMACSHA256},
		{"unequal lengths, shared key", listC, listA, vecA, vecC, secret, wire.HMACSHA256, wire.HMACSHA1},
		{"no CHUNKS", listD, listC, vecD, vecC, nil, wire.HMACSHA1, wire.HMACSHA256},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Concat(tc.shared, tc.lo, tc.hi)
			keys := auth.NewKeyring()
			if tc.shared != nil {
				keys.Set(9, tc.shared)
				if err := keys.Activate(9); err != nil {
					t.Fatal(err)
				}
			}
			sx, sy := pair(mustParse(t, tc.x), mustParse(t, tc.y), keys, keys)
			for _, side := range []struct {
				name     string
				from, to *auth.Session
				algo     wire.HMACID
			}{{"x to y", sx, sy, tc.xAlgo}, {"y to x", sy, sx, tc.yAlgo}} {
				if got := side.from.HMAC(); got != side.algo {
					t.Errorf("%s: signs with HMAC %d, want %d", side.name, got, side.algo)
				}
				pkt, at := signedPacket(t, side.from, 100)
				got, _ := wire.AuthHMAC(pkt[at:])
				if exp := expectedHMAC(pkt, at, want); !bytes.Equal(got, exp) {
					t.Errorf("%s: HMAC % x, want % x (key from hand-built vectors)", side.name, got, exp)
				}
				if r := side.to.Verify(pkt[at:]); r != auth.Verified {
					t.Errorf("%s: peer says %v", side.name, r)
				}
			}
		})
	}
}
