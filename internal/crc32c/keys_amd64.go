package crc32c

// How folding works, and where its constants come from.
//
// The CRC register after a message M of n bits (with the initial register
// XORed into its first 32 bits) is M(x)·x^32 mod P(x), P the Castagnoli
// polynomial. Any A(x) ≡ M(x) (mod P) gives the same CRC, so the assembly
// shrinks M to 128 bits without dividing: a 128-bit accumulator A followed
// by D more bits B stands for A·x^D + B, and A·x^D is replaced by
// something congruent and short, two carry-less products of A's 64-bit
// halves by x^k mod P (32-bit constants). The CRC32 instruction then runs
// over the 16 bytes left.
//
// Bits are reflected, as in the SCTP CRC and hash/crc32: bit i of a 32-bit
// value is the coefficient of x^(31-i), bit i of a 64-bit half that of
// x^(63-i), and bit i of a 128-bit register that of x^(127-i), so the first
// 8 bytes of a block (the low half) carry the high-degree coefficients:
// A = lo·x^64 + hi. A carry-less product of two reflected 64-bit values is
// their polynomial product multiplied by x (bit 127 of the result is
// always 0, and counts as the coefficient of x^0).
//
// With a constant stored in the low 32 bits of a 64-bit half, reflected,
// its value as a 64-bit half is x^32·(x^f mod P); the product of a half h
// by it is h·x^(f+33) (mod P). Folding A over D bits needs lo·x^(D+64) and
// hi·x^D, hence f = D+31 for the low half and f = D-33 for the high half.
// Each product has degree below 128, so the two products and the next 128
// bits XOR into the new accumulator.

// castagnoliReflected is P without its x^32 term, reflected: the same
// number as crc32.Castagnoli.
const castagnoliReflected = 0x82F63B78

// Fold distances, in bits, of the assembly's steps: four 512-bit
// accumulators over 256 bytes, one over 64 bytes, then halving to 256 and
// 128 bits, and one 128-bit accumulator over 16 bytes.
var foldDistances = [...]int{2048, 512, 256, 128}

// foldKeys holds, for each fold distance in order, the constants for the
// low and the high 64-bit half; the assembly loads them as 128-bit pairs.
type foldKeys [2 * len(foldDistances)]uint64

var keys = makeKeys()

func makeKeys() foldKeys {
	var k foldKeys
	for i, d := range foldDistances {
		k[2*i] = uint64(xPowMod(d + 31))
		k[2*i+1] = uint64(xPowMod(d - 33))
	}
	return k
}

// xPowMod returns x^e mod P, reflected. Multiplying a reflected value by x
// shifts it right; a coefficient that reaches x^32 is replaced by P's
// lower terms.
func xPowMod(e int) uint32 {
	r := uint32(1 << 31) // x^0
	for range e {
		carry := r & 1
		r >>= 1
		if carry != 0 {
			r ^= castagnoliReflected
		}
	}
	return r
}
