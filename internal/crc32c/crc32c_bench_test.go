package crc32c

import (
	"fmt"
	"hash/crc32"
	"testing"
)

// benchSizes are SCTP packet sizes: small control packets, DATA of 1000
// bytes, Ethernet MTU, jumbo frames, and GSO/GRO runs of 64 KiB.
var benchSizes = []int{64, 256, 1000, 1500, 8000, 65000}

// impls puts this package beside hash/crc32 in the same run.
var impls = []struct {
	name   string
	update func(uint32, []byte) uint32
}{
	{"crc32c", Update},
	{"hashcrc32", func(crc uint32, p []byte) uint32 { return crc32.Update(crc, table, p) }},
}

// BenchmarkHot checksums the same buffer over and over, in the L1 cache.
func BenchmarkHot(b *testing.B) {
	for _, n := range benchSizes {
		buf := make([]byte, n)
		for _, im := range impls {
			b.Run(fmt.Sprintf("%d/%s", n, im.name), func(b *testing.B) {
				b.SetBytes(int64(n))
				var sum uint32
				for b.Loop() {
					sum ^= im.update(0, buf)
				}
				sink = sum
			})
		}
	}
}

// BenchmarkCold walks a 64 MiB buffer, larger than the caches, as a
// receiver meets packets the kernel has just written.
func BenchmarkCold(b *testing.B) {
	big := make([]byte, 64<<20)
	for i := range big {
		big[i] = byte(i)
	}
	for _, n := range benchSizes {
		for _, im := range impls {
			b.Run(fmt.Sprintf("%d/%s", n, im.name), func(b *testing.B) {
				b.SetBytes(int64(n))
				var sum uint32
				off := 0
				for b.Loop() {
					if off+n > len(big) {
						off = 0
					}
					sum ^= im.update(0, big[off:off+n])
					off += n
				}
				sink = sum
			})
		}
	}
}

var sink uint32
