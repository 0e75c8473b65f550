package crc32c

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func want(crc uint32, p []byte) uint32 { return crc32.Update(crc, table, p) }

func randomBytes(r *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

func TestChecksumKnownValue(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		// RFC 3720 B.4: 32 bytes of zeros, and the usual check value.
		require.Equal(t, uint32(0x8A9136AA), Checksum(make([]byte, 32)))
		require.Equal(t, uint32(0xE3069283), Checksum([]byte("123456789")))
	})
}

// Every length up to 4 KiB at every offset from a 64-byte boundary, so
// that each path through the assembly (4 accumulators or 1, 64- and
// 16-byte rounds, a tail for hash/crc32) meets unaligned loads.
func TestEveryLengthAndAlignment(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		buf := randomBytes(r, 4096+64+64)
		base := 64 - int(uintptr(unsafe.Pointer(&buf[0]))%64)
		for align := range 64 {
			for n := 0; n <= 4096; n++ {
				p := buf[base+align : base+align+n]
				crc := r.Uint32()
				if got, exp := Update(crc, p), want(crc, p); got != exp {
					t.Fatalf("length %d, alignment %d, crc %#x: got %#x, want %#x", n, align, crc, got, exp)
				}
			}
		}
	})
}

func TestRandomLengths(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		buf := randomBytes(r, 256<<10)
		for range 300 {
			n := r.IntN(len(buf) + 1)
			off := r.IntN(len(buf) - n + 1)
			p := buf[off : off+n]
			require.Equal(t, want(0, p), Checksum(p), "length %d at %d", n, off)
		}
	})
}

// A CRC continued piece by piece equals the CRC of the whole, as the stack
// computes it over a packet sent in pieces.
func TestChainedUpdates(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for range 300 {
			p := randomBytes(r, r.IntN(20000))
			crc0 := r.Uint32()
			crc := crc0
			for rest := p; len(rest) > 0; {
				k := r.IntN(len(rest) + 1)
				crc = Update(crc, rest[:k])
				rest = rest[k:]
			}
			require.Equal(t, want(crc0, p), crc, "length %d", len(p))
		}
	})
}

// addSeeds gives a fuzzer of (crc, bytes, n) its seeds: the check
// string, a kilobyte of zeros, and random bytes of a length that the
// assembly's rounds do not divide, each with the n given.
func addSeeds(f *testing.F, n ...uint) {
	f.Add(uint32(0), []byte("123456789"), n[0])
	f.Add(uint32(0xFFFFFFFF), make([]byte, 1000), n[1])
	f.Add(uint32(0x12345678), randomBytes(rand.New(rand.NewPCG(7, 8)), 4099), n[2])
}

func FuzzUpdate(f *testing.F) {
	addSeeds(f, 0, 300, 17)
	f.Fuzz(func(t *testing.T, crc uint32, p []byte, split uint) {
		eachPath(t, func(t *testing.T) {
			k := int(split % uint(len(p)+1))
			require.Equal(t, want(crc, p), Update(Update(crc, p[:k]), p[k:]))
		})
	})
}
