package auth

import (
	"bytes"
	"cmp"
	"slices"
)

// associationKey returns the association shared key of RFC 4895 section
// 6.1: the endpoint-pair shared key, followed by the numerically smaller
// key vector, followed by the larger one. Both endpoints compute the same
// key whichever of them v1 and v2 belong to.
func associationKey(shared, v1, v2 []byte) []byte {
	if compareVectors(v1, v2) > 0 {
		v1, v2 = v2, v1
	}
	return slices.Concat(shared, v1, v2)
}

// compareVectors compares two key vectors as unsigned big-endian numbers,
// so leading zero bytes do not count. Vectors that are equal as numbers
// but differ in length compare by length, the shorter first (RFC 4895
// section 6.1). The vectors are public, so the comparison need not run in
// constant time.
func compareVectors(a, b []byte) int {
	na, nb := bytes.TrimLeft(a, "\x00"), bytes.TrimLeft(b, "\x00")
	if c := cmp.Compare(len(na), len(nb)); c != 0 {
		return c
	}
	if c := bytes.Compare(na, nb); c != 0 {
		return c
	}
	return cmp.Compare(len(a), len(b))
}
