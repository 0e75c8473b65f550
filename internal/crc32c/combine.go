package crc32c

import "sync/atomic"

// Combining two CRCs without reading the data again.
//
// The CRC register after a message M of n bytes, starting from register
// r, is (r·x^(8n) + M(x)·x^32) mod P, and the CRC is its complement (the
// register starts at all ones and ends inverted). So, for A followed by
// B of n bytes, with crc1 = Checksum(A) and crc2 = Checksum(B):
//
//	register(A||B) = ^crc1·x^(8n) + B(x)·x^32
//	register(B)    = ^0·x^(8n)    + B(x)·x^32
//
// and, as ^v = v + ^0 in GF(2)[x] (the all-ones value being ^0),
// register(A||B) = register(B) + crc1·x^(8n): complementing both sides,
//
//	Checksum(A||B) = crc1·x^(8n) mod P  xor  crc2
//
// (zlib's crc32_combine). Values are reflected as in keys_amd64.go: bit i
// of a 32-bit value is the coefficient of x^(31-i).

// Combine returns the CRC of A followed by B, given crc1, the CRC of A,
// crc2, the CRC of B, and len2, the length of B (not negative). It costs
// one 32-bit multiplication modulo P when x^(8·len2) mod P is cached (the
// last lengths are: a bulk transfer repeats its message size), one more
// per nonzero hexadecimal digit of len2 otherwise, and reads neither A
// nor B.
func Combine(crc1, crc2 uint32, len2 int) uint32 {
	if len2 == 0 {
		return crc1 ^ crc2
	}
	return mulMod(crc1, shiftFactor(len2)) ^ crc2
}

// powCache keeps x^(8n) mod P for recent lengths n, each slot holding n in
// its high 32 bits and the power in its low ones, so that a slot is read
// and written whole without a lock by every association at once.
var powCache [16]atomic.Uint64

// shiftFactor returns x^(8n) mod P for n > 0.
func shiftFactor(n int) uint32 {
	if uint64(n) > 1<<32-1 {
		return bytePower(uint64(n))
	}
	slot := &powCache[(uint32(n)*0x9E3779B1)>>28] // Fibonacci hashing: spread sizes with equal low bits
	if v := slot.Load(); uint32(v>>32) == uint32(n) {
		return uint32(v)
	}
	pow := bytePower(uint64(n))
	slot.Store(uint64(n)<<32 | uint64(pow))
	return pow
}

// nibblePowers[i][d] is x^(8·d·16^i) mod P: x^(8n) is the product of one
// entry per hexadecimal digit of n.
var nibblePowers = makeNibblePowers()

func makeNibblePowers() (t [16][16]uint32) {
	step := uint32(1<<31) >> 8 // x^8
	for i := range t {
		t[i][0] = 1 << 31 // x^0
		for d := 1; d < 16; d++ {
			t[i][d] = mulMod(t[i][d-1], step)
		}
		step = mulMod(t[i][15], step) // x^(8·16^(i+1))
	}
	return t
}

// bytePower returns x^(8n) mod P.
func bytePower(n uint64) uint32 {
	pow := uint32(1 << 31)
	for i := 0; n != 0; i, n = i+1, n>>4 {
		if d := n & 15; d != 0 {
			pow = mulMod(pow, nibblePowers[i][d])
		}
	}
	return pow
}

// mulMod returns a·b mod P. The carry-less product of two reflected
// 32-bit values, shifted left by one bit, is their product as a reflected
// 64-bit value (bit k the coefficient of x^(63-k)): L·x^32 + H, L its low
// and H its high 32 bits. H is already reduced; L·x^32 mod P is what the
// CRC register becomes after four zero bytes, four steps of the byte
// table hash/crc32 made.
func mulMod(a, b uint32) uint32 {
	v := clmul(a, b) << 1
	l := uint32(v)
	for range 4 {
		l = table[byte(l)] ^ l>>8
	}
	return l ^ uint32(v>>32)
}

// clmul returns the carry-less product of a and b, four bits of a at a
// time from a table of b's multiples.
func clmul(a, b uint32) uint64 {
	var t [16]uint64
	t[1] = uint64(b)
	for d := 2; d < 16; d += 2 {
		t[d] = t[d/2] << 1
		t[d+1] = t[d] ^ t[1]
	}
	var p uint64
	for i := 0; i < 32; i += 4 {
		p ^= t[a>>i&15] << i
	}
	return p
}
