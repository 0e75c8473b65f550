package stack

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A reader that keeps up with a stream of messages without ever
// emptying the queue does not make the queue's array grow: a full array
// whose front half was read is compacted, the order kept. An emptied
// queue keeps its array until the association trims it.
func TestRecvQueueReusesItsArray(t *testing.T) {
	var q recvQueue
	next, want := byte(0), byte(0)
	push := func(n int) {
		for range n {
			q.push(Message{Data: []byte{next}})
			next++
		}
	}
	pop := func(n int) {
		for range n {
			require.False(t, q.empty())
			require.Equal(t, []byte{want}, q.msgs[q.head].Data, "messages out of order")
			q.pop()
			want++
		}
	}
	push(8)
	capacity := cap(q.msgs)
	for range 100 {
		pop(capacity / 2)
		push(capacity / 2)
	}
	require.Equal(t, capacity, cap(q.msgs), "the array grew although the reader kept up")
	require.Equal(t, 8*rxCost(1), q.bytes)

	pop(8)
	require.True(t, q.empty())
	require.Equal(t, capacity, cap(q.msgs), "an emptied queue gave its array back")
	q.trim()
	require.Nil(t, q.msgs)
	push(1)
	pop(1)
}

// Reads make a window update due once their count reaches what the
// association set, and never while it wants none.
func TestWindowWatch(t *testing.T) {
	var w windowWatch
	w.init()
	require.False(t, w.freed(1<<40), "an update due while none was wanted")
	w.dueAt.Store(w.read.Load() + 1000)
	require.False(t, w.freed(999), "read 999 of 1000")
	require.True(t, w.freed(1), "read 1000")
	require.True(t, w.freed(1), "read more")
}

// A writer blocked on a full send buffer is woken once a third of it is
// free, not at every release.
func TestSendWakesWriterAtAThird(t *testing.T) {
	a := testAssoc()
	q := &a.sendq
	q.limit, q.bytes = 3000, 3000
	q.mu.Lock()
	ch := q.space.wait()
	q.mu.Unlock()
	woken := func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	a.tx.released = 999
	a.takeUserData(time.Now())
	assert.Equal(t, 2001, q.bytes, "the release counts at once")
	assert.False(t, woken(), "woken with less than a third free")
	a.tx.released = 1
	a.takeUserData(time.Now())
	assert.True(t, woken(), "not woken with a third free")
}
