package stack

import (
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecvMsgFunc: RecvMsgFunc hands over whole messages with their
// details, the rest of a message RecvMsg read in part, and io.EOF after
// the peer's shutdown, like RecvMsg.
func TestRecvMsgFunc(t *testing.T) {
	_, ca, sa := simPair(t, 1, Config{}, Config{})
	ctx := t.Context()
	sizes := []int{1, 1000, 3000, 20000} // 20000: reassembled from fragments
	for i, size := range sizes {
		require.NoError(t, ca.SendMsg(ctx, payload(i, size), SendInfo{Stream: uint16(i), PPID: uint32(100 + i)}))
	}
	require.NoError(t, ca.SendMsg(ctx, payload(9, 500), SendInfo{Stream: 1, PPID: 7, Unordered: true}))
	for i, size := range sizes {
		calls := 0
		require.NoError(t, sa.RecvMsgFunc(ctx, func(data []byte, info RecvInfo) {
			calls++
			assert.Equal(t, payload(i, size), data, "message %d", i)
			assert.Equal(t, RecvInfo{Stream: uint16(i), PPID: uint32(100 + i), EOR: true}, info)
		}))
		assert.Equal(t, 1, calls)
	}
	part := make([]byte, 200)
	n, info, err := sa.RecvMsg(ctx, part)
	require.NoError(t, err)
	require.False(t, info.EOR)
	want := payload(9, 500)
	assert.Equal(t, want[:n], part[:n])
	require.NoError(t, sa.RecvMsgFunc(ctx, func(data []byte, info RecvInfo) {
		assert.Equal(t, want[n:], data, "the rest of the message read in part")
		assert.Equal(t, RecvInfo{Stream: 1, PPID: 7, Unordered: true, EOR: true}, info)
	}))
	require.NoError(t, ca.Shutdown(ctx))
	err = sa.RecvMsgFunc(ctx, func([]byte, RecvInfo) { t.Error("a message after the shutdown") })
	assert.ErrorIs(t, err, io.EOF)
}

// TestRecvMsgFuncReadsAgain: f may read the next message itself; each
// message's memory stays valid until its own f returns.
func TestRecvMsgFuncReadsAgain(t *testing.T) {
	_, ca, sa := simPair(t, 2, Config{}, Config{})
	ctx := t.Context()
	for i := range 3 {
		require.NoError(t, ca.SendMsg(ctx, payload(i, 4000), SendInfo{}))
	}
	var got [][]byte
	var read func(int) func([]byte, RecvInfo)
	read = func(i int) func([]byte, RecvInfo) {
		return func(data []byte, _ RecvInfo) {
			if i < 2 {
				require.NoError(t, sa.RecvMsgFunc(ctx, read(i+1)))
			}
			assert.Equal(t, payload(i, 4000), data, "message %d after the reads within its f", i)
			got = append(got, data[:1])
		}
	}
	require.NoError(t, sa.RecvMsgFunc(ctx, read(0)))
	assert.Len(t, got, 3)
}

// TestStreamCloseGivesUnreadBack: messages a Stream leaves unread when it
// is closed go to RecvMsg, the rest of one it read in part first, and
// once everything is read the buffers they were kept in have all gone
// back, the last one too, at the read that returns io.EOF after the
// association has ended.
func TestStreamCloseGivesUnreadBack(t *testing.T) {
	_, ca, sa := simPair(t, 3, Config{}, Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	st, err := sa.Stream(1, 0)
	require.NoError(t, err)
	const size = 1000 // a chunk each, kept in its packet
	for i := range 3 {
		require.NoError(t, ca.SendMsg(ctx, payload(i, size), SendInfo{Stream: 1}))
	}
	part := make([]byte, 7)
	n, err := st.Read(part)
	require.NoError(t, err)
	require.Equal(t, payload(0, size)[:n], part[:n])
	require.Eventually(t, func() bool { return sa.Stats().ChunksKept >= 3 }, 5*time.Second, time.Millisecond)
	require.NoError(t, st.Close())
	require.NoError(t, ca.Shutdown(ctx)) // read after the end: no idle trim follows

	require.NoError(t, sa.RecvMsgFunc(ctx, func(data []byte, info RecvInfo) {
		assert.Equal(t, payload(0, size)[n:], data, "the rest of the message read in part")
		assert.EqualValues(t, 1, info.Stream)
	}))
	buf := make([]byte, size)
	for i := 1; i < 3; i++ {
		k, info, err := sa.RecvMsg(ctx, buf)
		require.NoError(t, err, "message %d", i)
		assert.Equal(t, payload(i, size), buf[:k], "message %d", i)
		assert.EqualValues(t, 1, info.Stream)
	}
	_, _, err = sa.RecvMsg(ctx, buf)
	require.ErrorIs(t, err, io.EOF)
	assert.Zero(t, sa.pins.held.Load(), "kept buffers after everything was read")
}

// TestRecvMsgFuncConcurrentReaders: readers in place and readers into
// buffers share one association; every message reaches exactly one of
// them, intact, and the buffers it was kept in all go back.
func TestRecvMsgFuncConcurrentReaders(t *testing.T) {
	_, ca, sa := simPair(t, 4, Config{}, Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const n, size = 400, 700
	go func() {
		for i := range n {
			msg := payload(i, size)
			binary.BigEndian.PutUint32(msg, uint32(i))
			if err := ca.SendMsg(ctx, msg, SendInfo{Stream: uint16(i % 3)}); err != nil {
				t.Error(err)
				return
			}
		}
		ca.Shutdown(ctx)
	}()
	var mu sync.Mutex
	seen := make(map[uint32]int)
	check := func(msg []byte) {
		i := binary.BigEndian.Uint32(msg)
		want := payload(int(i), size)
		binary.BigEndian.PutUint32(want, i)
		assert.Equal(t, want, msg, "message %d", i)
		mu.Lock()
		seen[i]++
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			buf := make([]byte, size)
			for {
				var err error
				if r%2 == 0 {
					err = sa.RecvMsgFunc(ctx, func(msg []byte, _ RecvInfo) { check(msg) })
				} else {
					var k int
					if k, _, err = sa.RecvMsg(ctx, buf); err == nil {
						check(buf[:k])
					}
				}
				if err != nil {
					assert.ErrorIs(t, err, io.EOF)
					return
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, n)
	for i, c := range seen {
		require.Equal(t, 1, c, "message %d delivered %d times", i, c)
	}
	assert.Zero(t, sa.pins.held.Load(), "kept buffers after everything was read")
}
