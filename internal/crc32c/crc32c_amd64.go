package crc32c

import (
	"hash/crc32"

	"golang.org/x/sys/cpu"
)

// useVector is true where the CPU has the instructions of the assembly and
// the OS saves the AVX-512 registers: x/sys/cpu sets its HasAVX512* flags
// only when XCR0 says it does. Tests turn it off to cover the fallback.
var useVector = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL &&
	cpu.X86.HasAVX512VPCLMULQDQ && cpu.X86.HasPCLMULQDQ && cpu.X86.HasSSE42

// vectorMin is the shortest input given to the vector code: the shortest
// length at which it beat hash/crc32 both on data in the cache and on data
// streamed from memory (BenchmarkHot and BenchmarkCold with the threshold
// at 64, 7 runs: at 96 and 112 bytes 3-4% faster hot but 6-9% slower
// cold, at 128 22% and 4% faster, at 160 21% and 9%).
const vectorMin = 128

// The assembly needs at least 64 bytes: this fails to compile otherwise.
const _ = uint(vectorMin - 64)

// Update returns the CRC of crc's input followed by p, as crc32.Update
// does with a Castagnoli table.
func Update(crc uint32, p []byte) uint32 {
	if useVector && len(p) >= vectorMin {
		// The assembly takes the whole 16-byte blocks, hash/crc32 the
		// rest. The assembly works on the CRC register, the complement
		// of the CRC.
		n := len(p) &^ 15
		crc = ^foldAVX512(^crc, p[:n], &keys)
		p = p[n:]
	}
	return crc32.Update(crc, table, p)
}

// foldAVX512 returns the CRC register after p, starting from register crc.
// len(p) must be a multiple of 16 and at least 64.
//
//go:noescape
func foldAVX512(crc uint32, p []byte, k *foldKeys) uint32

// copyFold copies the whole 16-byte blocks of src into dst with the
// vector code, if it takes src, advancing *crc over them, and returns how
// many bytes it did.
func copyFold(crc *uint32, dst, src []byte) int {
	if !useVector || len(src) < vectorMin {
		return 0
	}
	n := len(src) &^ 15
	*crc = ^foldCopyAVX512(^*crc, dst[:n], src[:n], &keys)
	return n
}

// foldCopyAVX512 is foldAVX512 over src that also copies it into dst,
// which is at least as long.
//
//go:noescape
func foldCopyAVX512(crc uint32, dst, src []byte, k *foldKeys) uint32
