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

// TestRecvMsgFuncInPlace: RecvMsgFunc hands over kept chunks in the
// packet's buffer, which stays held while f runs and goes back when the
// last message in it has been read, not at some later read.
func TestRecvMsgFuncInPlace(t *testing.T) {
	ca, sa := routePair(t, loopback4, 5043, Config{})
	want := (min(loMTU(t), maxIPPacket) - ipv4Overhead - udpOverhead) &^ 3
	searchWithData(t, ca, sa, want)
	const n, size = 100, 8000
	before := sa.Stats().ChunksKept
	go func() {
		for i := range n {
			if err := ca.SendMsg(t.Context(), payload(i, size), SendInfo{}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range n {
		require.NoError(t, sa.RecvMsgFunc(t.Context(), func(data []byte, _ RecvInfo) {
			require.Equal(t, payload(i, size), data, "message %d", i)
			assert.Positive(t, sa.Stats().Pinned, "buffer of message %d held while it is read", i)
		}))
	}
	s := sa.Stats()
	assert.EqualValues(t, n, s.ChunksKept-before, "chunks read in place")
	assert.Zero(t, s.Pinned, "buffers held after every message was read")
}
