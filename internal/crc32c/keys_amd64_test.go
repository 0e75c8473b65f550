package crc32c

import (
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
)

// xPowMod is checked against hash/crc32, which knows nothing of it: the
// CRC register of n bytes, the first 0x01 (x^(8n-1) in the reflected
// order) and the rest zero, starting from a zero register, is
// x^(8n-1)·x^32 mod P.
func TestXPowModAgainstCRC(t *testing.T) {
	require.Equal(t, uint32(1<<31), xPowMod(0))
	require.Equal(t, uint32(castagnoliReflected), xPowMod(32))
	for _, n := range []int{1, 2, 5, 16, 64, 257, 300} {
		p := make([]byte, n)
		p[0] = 1
		register := ^crc32.Update(^uint32(0), table, p)
		require.Equal(t, register, xPowMod(8*n+31), "n %d", n)
	}
}
