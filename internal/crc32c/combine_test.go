package crc32c

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// combineLengths are lengths of B: empty, short, odd, around the vector
// threshold and minPiece, a 64 KiB packet, each hexadecimal digit in use.
var combineLengths = []int{0, 1, 2, 3, 7, 15, 16, 17, 127, 128, 129, 1000, 4095, 4096, 4097,
	8000, 8191, 65535, 65536, 65537, 0xFEDCB, 1 << 20}

// Combine gives what a CRC over A and B together gives, for A of several
// lengths (the empty one included) and B of each length, twice each so
// that the second call finds the power cached.
func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	buf := randomBytes(r, 2<<20)
	for _, na := range []int{0, 1, 12, 5000} {
		for _, nb := range combineLengths {
			for range 2 {
				a, b := buf[:na], buf[na:na+nb]
				require.Equal(t, want(0, buf[:na+nb]), Combine(Checksum(a), Checksum(b), nb), "A %d bytes, B %d", na, nb)
			}
		}
	}
}

// Lengths that share a cache slot take turns in it: each answer is still
// the one for its own length.
func TestCombineCacheCollisions(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	buf := randomBytes(r, 70000)
	crc1 := Checksum(buf[:100])
	for range 2000 {
		nb := 1 + r.IntN(len(buf)-100)
		b := buf[100 : 100+nb]
		require.Equal(t, want(0, buf[:100+nb]), Combine(crc1, Checksum(b), nb), "B %d bytes", nb)
	}
}

// A length past 4 GiB is not cached; its power comes from all its digits.
func TestBytePowerLarge(t *testing.T) {
	n := uint64(1)<<32 + 8000
	require.Equal(t, mulMod(bytePower(1<<32), bytePower(8000)), shiftFactor(int(n)))
	require.Equal(t, mulMod(bytePower(1<<31), bytePower(1<<31)), bytePower(1<<32))
}

// mulMod against the definition: a·b by shifting b one power of x at a
// time and adding it where a has a coefficient.
func TestMulMod(t *testing.T) {
	slow := func(a, b uint32) uint32 {
		var p uint32
		for i := 31; i >= 0; i-- { // a's coefficient of x^(31-i)
			if a>>i&1 != 0 {
				p ^= b
			}
			if b&1 != 0 { // b·x
				b = b>>1 ^ crc32.Castagnoli
			} else {
				b >>= 1
			}
		}
		return p
	}
	r := rand.New(rand.NewPCG(13, 14))
	for range 10000 {
		a, b := r.Uint32(), r.Uint32()
		require.Equal(t, slow(a, b), mulMod(a, b), "%#x·%#x", a, b)
	}
	require.Equal(t, uint32(0xABCDEF01), mulMod(0xABCDEF01, 1<<31), "x^0 is one")
}

func FuzzCombine(f *testing.F) {
	f.Add([]byte("123456789"), uint(4))
	f.Add(randomBytes(rand.New(rand.NewPCG(15, 16)), 9000), uint(1000))
	f.Fuzz(func(t *testing.T, p []byte, split uint) {
		k := int(split % uint(len(p)+1))
		require.Equal(t, want(0, p), Combine(Checksum(p[:k]), Checksum(p[k:]), len(p)-k))
	})
}

// BenchmarkCombine runs Combine for one repeated length (the cached case)
// and for a new length each time.
func BenchmarkCombine(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		var sum uint32
		for b.Loop() {
			sum = Combine(sum, 0x1234, 8000)
		}
		sink = sum
	})
	b.Run("uncached", func(b *testing.B) {
		var sum uint32
		n := 4096
		for b.Loop() {
			sum = bytePower(uint64(n)) ^ mulMod(sum, 0x1234)
			n = n%60000 + 4099
		}
		sink = sum
	})
}
