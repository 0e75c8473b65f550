package auth_test

import (
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// packetLen is the size of the benchmarked packets, common header included.
const packetLen = 1000

// benchPacket returns a signed packet of packetLen bytes: SACK, AUTH, DATA.
func benchPacket(b *testing.B, algo wire.HMACID) (pkt []byte, at int, sign, verify func([]byte) bool) {
	sender, receiver := sessions(b, algo)
	const overhead = wire.CommonHeaderLen + 16 /* SACK */ + 16 /* DATA header */
	pkt, at = signedPacket(b, sender, packetLen-overhead-sender.AuthLen())
	if len(pkt) != packetLen {
		b.Fatalf("packet of %d bytes", len(pkt))
	}
	return pkt, at,
		func(p []byte) bool { return sender.Sign(p) == nil },
		func(p []byte) bool { return receiver.Verify(p) == auth.Verified }
}

func BenchmarkSign(b *testing.B) {
	for _, alg := range algorithms {
		b.Run(alg.name, func(b *testing.B) {
			pkt, at, sign, _ := benchPacket(b, alg.id)
			b.SetBytes(packetLen)
			b.ReportAllocs()
			for b.Loop() {
				if !sign(pkt[at:]) {
					b.Fatal("Sign failed")
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range algorithms {
		b.Run(alg.name, func(b *testing.B) {
			pkt, at, _, verify := benchPacket(b, alg.id)
			b.SetBytes(packetLen)
			b.ReportAllocs()
			for b.Loop() {
				if !verify(pkt[at:]) {
					b.Fatal("Verify failed")
				}
			}
		})
	}
}
