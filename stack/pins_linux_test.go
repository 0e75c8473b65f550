//go:build !mobisctp_portable

package stack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoopbackChunksKeptInPlace: on Linux the transport lends the buffers
// of large datagrams, and the receiver reads DATA chunks from them instead
// of copying them: every message of a transfer in 64 KiB packets is kept,
// arrives intact, and once read gives its buffer back.
func TestLoopbackChunksKeptInPlace(t *testing.T) {
	ca, sa := routePair(t, loopback4, 5041, Config{})
	want := (min(loMTU(t), maxIPPacket) - ipv4Overhead - udpOverhead) &^ 3
	searchWithData(t, ca, sa, want)
	const n, size = 100, 8000
	before := sa.Stats().ChunksKept
	go func() {
		for i := range n {
			if err := ca.SendMsg(t.Context(), payload(i, size), SendInfo{Stream: uint16(i % 2)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	buf := make([]byte, size+1)
	for i := range n {
		k, _, err := sa.RecvMsg(t.Context(), buf)
		require.NoError(t, err)
		require.Equal(t, payload(i, size), buf[:k], "message %d", i)
	}
	s := sa.Stats()
	assert.EqualValues(t, n, s.ChunksKept-before, "chunks read in place")
	// The last buffer read may be held until the next read.
	assert.LessOrEqual(t, s.Pinned, 2<<16, "buffers held after every message was read")
}
