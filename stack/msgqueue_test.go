package stack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batch returns messages numbered from..from+n-1 in their PPID.
func batch(from, n int) []outMsg {
	var b []outMsg
	for i := range n {
		b = append(b, outMsg{data: []byte{1}, info: SendInfo{PPID: uint32(from + i)}})
	}
	return b
}

func queuedPPIDs(q *msgQueue) []uint32 {
	var ids []uint32
	for m := range q.all() {
		ids = append(ids, m.info.PPID)
	}
	return ids
}

func TestMsgQueueOrder(t *testing.T) {
	var q msgQueue
	next := 0
	for _, n := range []int{3, 1, 4} {
		b := batch(next, n)
		q.take(&b)
		assert.Empty(t, b, "take leaves SendMsg an empty batch")
		next += n
	}
	require.Equal(t, 8, q.len())
	assert.Equal(t, []uint32{0, 1, 2, 3, 4, 5, 6, 7}, queuedPPIDs(&q))
	for want := range uint32(8) {
		require.Equal(t, want, q.front().info.PPID)
		q.pop()
		assert.Equal(t, int(7-want), q.len())
		assert.Len(t, queuedPPIDs(&q), int(7-want))
	}
	var none []outMsg
	q.take(&none)
	assert.Equal(t, 0, q.len())
}

// A drained batch goes back to SendMsg cleared, so that it holds no
// message's memory and SendMsg writes into an array it used before.
func TestMsgQueueHandsBackDrained(t *testing.T) {
	var q msgQueue
	first := batch(0, 4)
	array := &first[:1][0]
	q.take(&first)
	for range 4 {
		q.pop()
	}
	next := batch(4, 2)
	q.take(&next)
	require.NotNil(t, next, "a drained batch is handed out")
	assert.Equal(t, 0, len(next))
	require.Equal(t, 4, cap(next))
	assert.Same(t, array, &next[:1][0])
	for _, m := range next[:cap(next)] {
		assert.Equal(t, outMsg{}, m, "drained slots are cleared")
	}
}

// Under steady load, one batch in, one out, the queue's list of batches
// and its spares stay small.
func TestMsgQueueSteady(t *testing.T) {
	var q msgQueue
	msgs := batch(0, 2)
	q.take(&msgs)
	next := 2
	for range 10000 {
		msgs = append(msgs, batch(next, 2)...)
		next += 2
		q.take(&msgs)
		q.pop()
		q.pop()
		require.Equal(t, 2, q.len())
		require.Equal(t, uint32(next-2), q.front().info.PPID)
	}
	assert.LessOrEqual(t, cap(q.batches), 8)
	assert.LessOrEqual(t, len(q.spare), maxSpare)
}

// With maxSpare drained batches kept, a larger one replaces the smallest,
// and take hands out the largest: SendMsg's append then rarely outgrows
// its batch and allocates.
func TestMsgQueueKeepsLargeSpares(t *testing.T) {
	var q msgQueue
	for _, n := range []int{8, 2, 1, 4} {
		b := batch(0, n)
		q.take(&b)
	}
	for q.len() > 0 {
		q.pop()
	}
	require.Len(t, q.spare, maxSpare)
	var caps []int
	for range maxSpare {
		b := batch(0, 1)
		q.take(&b)
		caps = append(caps, cap(b))
	}
	assert.Equal(t, []int{8, 4}, caps)
}
