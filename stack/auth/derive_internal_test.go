package auth

import (
	"slices"
	"testing"
)

// TestCompareVectors covers the numeric ordering of RFC 4895 section 6.1,
// including what real key vectors never show: leading zero bytes, and
// vectors equal as numbers but of different lengths.
func TestCompareVectors(t *testing.T) {
	cases := []struct {
		a, b []byte
		want int
	}{
		{[]byte{1, 2, 3}, []byte{1, 2, 3}, 0},
		{[]byte{1, 2, 3}, []byte{1, 2, 4}, -1},
		{[]byte{2, 0}, []byte{1, 9, 9}, -1},      // shorter, smaller number
		{[]byte{0, 0, 9}, []byte{1, 0}, -1},      // longer, but leading zeros
		{[]byte{0, 2, 0}, []byte{1, 0}, 1},       // leading zero, still larger
		{[]byte{0, 0, 1, 2}, []byte{1, 2}, 1},    // equal numbers: longer is larger
		{[]byte{}, []byte{0}, -1},                // zero and zero: shorter first
		{[]byte{0x80, 2, 0}, []byte{0x80, 1}, 1}, // RFC-style: longer wins
		{[]byte{0xFF, 0xFF}, []byte{0x01, 0, 0}, -1},
	}
	for _, tc := range cases {
		if got := compareVectors(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVectors(% x, % x) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareVectors(tc.b, tc.a); got != -tc.want {
			t.Errorf("compareVectors(% x, % x) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

// TestAssociationKeyOrder checks that the derivation does not depend on
// which side computes it, and that equal-number vectors go shorter first.
func TestAssociationKeyOrder(t *testing.T) {
	shared := []byte{0xAA}
	short, long := []byte{5}, []byte{0, 5}
	want := slices.Concat(shared, short, long)
	for _, got := range [][]byte{associationKey(shared, short, long), associationKey(shared, long, short)} {
		if !slices.Equal(got, want) {
			t.Errorf("associationKey = % x, want % x", got, want)
		}
	}
}
