//go:build !mobisctp_portable

package stack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keptLoad is n messages of keptSize bytes, in 64 KiB packets whose
// buffers the Linux transport lends, so that their chunks are kept.
const keptLoad, keptSize = 100, 8000

// sendKept connects an association pair over loopback on port, lets the
// path reach the loopback MTU, and sends keptLoad messages from a
// goroutine. It returns the receiving end and its ChunksKept before.
func sendKept(t *testing.T, port uint16) (*Association, uint64) {
	ca, sa := routePair(t, loopback4, port, Config{})
	want := (min(loMTU(t), maxIPPacket) - ipv4Overhead - udpOverhead) &^ 3
	searchWithData(t, ca, sa, want)
	before := sa.Stats().ChunksKept
	go func() {
		for i := range keptLoad {
			if err := ca.SendMsg(t.Context(), payload(i, keptSize), SendInfo{Stream: uint16(i % 2)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	return sa, before
}

// TestLoopbackChunksKeptInPlace: on Linux the transport lends the buffers
// of large datagrams, and the receiver reads DATA chunks from them instead
// of copying them: every message of a transfer in 64 KiB packets is kept,
// arrives intact, and once read gives its buffer back.
func TestLoopbackChunksKeptInPlace(t *testing.T) {
	sa, before := sendKept(t, 5041)
	buf := make([]byte, keptSize+1)
	for i := range keptLoad {
		k, _, err := sa.RecvMsg(t.Context(), buf)
		require.NoError(t, err)
		require.Equal(t, payload(i, keptSize), buf[:k], "message %d", i)
	}
	s := sa.Stats()
	assert.EqualValues(t, keptLoad, s.ChunksKept-before, "chunks read in place")
	// The last buffer read may be held until the next read.
	assert.LessOrEqual(t, s.Pinned, 2<<16, "buffers held after every message was read")
}

// TestRecvMsgFuncInPlace: RecvMsgFunc hands over kept chunks in the
// packet's buffer, which stays held while f runs and goes back when the
// last message in it has been read, not at some later read.
func TestRecvMsgFuncInPlace(t *testing.T) {
	sa, before := sendKept(t, 5043)
	for i := range keptLoad {
		require.NoError(t, sa.RecvMsgFunc(t.Context(), func(data []byte, _ RecvInfo) {
			require.Equal(t, payload(i, keptSize), data, "message %d", i)
			assert.Positive(t, sa.Stats().Pinned, "buffer of message %d held while it is read", i)
		}))
	}
	s := sa.Stats()
	assert.EqualValues(t, keptLoad, s.ChunksKept-before, "chunks read in place")
	assert.Zero(t, s.Pinned, "buffers held after every message was read")
}
