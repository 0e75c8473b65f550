package crc32c

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// checkCopy runs CopyUpdate from src into a dst longer than src, filled
// with a pattern, and checks the copy, the CRC and that nothing past the
// copy was written.
func checkCopy(t *testing.T, crc uint32, dst, src []byte) {
	t.Helper()
	for i := range dst {
		dst[i] = 0xA5
	}
	got := CopyUpdate(crc, dst, src)
	if exp := want(crc, src); got != exp {
		t.Fatalf("length %d: CRC %#x, want %#x", len(src), got, exp)
	}
	if !bytes.Equal(dst[:len(src)], src) {
		t.Fatalf("length %d: copy differs", len(src))
	}
	if !allPattern(dst[len(src):]) {
		t.Fatalf("length %d: bytes past the copy written", len(src))
	}
}

func allPattern(p []byte) bool {
	for _, b := range p {
		if b != 0xA5 {
			return false
		}
	}
	return true
}

// Every length up to 2 KiB, with source and destination each at every
// offset from a 64-byte boundary in turn, through every path of the
// assembly and the tail left to copy and hash/crc32.
func TestCopyUpdateEveryLengthAndAlignment(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		src := randomBytes(r, 2048+128)
		dst := make([]byte, 2048+128+32)
		sb := 64 - int(uintptr(unsafe.Pointer(&src[0]))%64)
		db := 64 - int(uintptr(unsafe.Pointer(&dst[0]))%64)
		for align := range 64 {
			for n := 0; n <= 2048; n++ {
				s := src[sb+align : sb+align+n]
				d := dst[db+(align*7)%64 : db+(align*7)%64+n+16]
				checkCopy(t, r.Uint32(), d, s)
			}
		}
	})
}

func TestCopyUpdateRandomLengths(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		src := randomBytes(r, 256<<10)
		dst := make([]byte, len(src)+64)
		for range 200 {
			n := r.IntN(len(src) + 1)
			checkCopy(t, r.Uint32(), dst[:n+r.IntN(64)], src[len(src)-n:])
		}
	})
}

func FuzzCopyUpdate(f *testing.F) {
	addSeeds(f, 0, 3, 17)
	f.Fuzz(func(t *testing.T, crc uint32, src []byte, extra uint) {
		eachPath(t, func(t *testing.T) {
			checkCopy(t, crc, make([]byte, len(src)+int(extra%100)), src)
		})
	})
}

// BenchmarkCopyUpdate copies messages into a ring of 8 MiB, larger than
// the L2 cache, as SendMsg does into the send buffer, and computes their
// CRC: in one pass, or with copy and then Update.
func BenchmarkCopyUpdate(b *testing.B) {
	ring := make([]byte, 8<<20)
	for _, n := range []int{1000, 8000, 65000} {
		src := randomBytes(rand.New(rand.NewPCG(1, 1)), n)
		for _, im := range []struct {
			name string
			f    func(dst, src []byte) uint32
		}{
			{"fused", func(dst, src []byte) uint32 { return CopyUpdate(0, dst, src) }},
			{"copy-then-crc", func(dst, src []byte) uint32 { copy(dst, src); return Update(0, dst[:len(src)]) }},
		} {
			b.Run(fmt.Sprintf("%d/%s", n, im.name), func(b *testing.B) {
				b.SetBytes(int64(n))
				off, sum := 0, uint32(0)
				for b.Loop() {
					if off+n > len(ring) {
						off = 0
					}
					sum ^= im.f(ring[off:off+n], src)
					off += n
				}
				sink = sum
			})
		}
	}
}
