package stack

import (
	"net/netip"
	"sync"
	"time"
)

// The association loop owns all protocol state. API goroutines and the
// socket readers reach it only through the queues below: each holds a mutex
// for a few instructions and wakes the loop through a one-slot channel, so
// a burst of work costs one wake-up.

// notifier is a broadcast signal that waiters block on through a channel
// (durably blocking, as testing/synctest requires) instead of a sync.Cond.
type notifier struct {
	ch   chan struct{}
	hook func() // called at every broadcast too, if set (see OnRecv)
}

// wait returns a channel closed at the next broadcast. Call with the
// owning mutex held.
func (n *notifier) wait() <-chan struct{} {
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// broadcast wakes every waiter. Call with the owning mutex held.
func (n *notifier) broadcast() {
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	if n.hook != nil {
		n.hook()
	}
}

// rxPacket is a received datagram copied out of the socket's buffer.
type rxPacket struct {
	buf    *[]byte // pooled; data is (*buf)[:n]
	data   []byte
	local  netip.AddrPort
	remote netip.AddrPort
}

// inbox carries received packets and API commands to the loop.
type inbox struct {
	mu   sync.Mutex
	pkts []rxPacket
	cmds []func(now time.Time)
}

// take swaps out the queued work, handing back the emptied slices of the
// previous round so their arrays are reused.
func (q *inbox) take(pkts []rxPacket, cmds []func(time.Time)) ([]rxPacket, []func(time.Time)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(pkts)
	clear(cmds)
	pkts, q.pkts = q.pkts, pkts[:0]
	cmds, q.cmds = q.cmds, cmds[:0]
	return pkts, cmds
}

// sendQueue holds messages from SendMsg until the loop takes them, and
// counts the bytes the association buffers for sending, so SendMsg blocks
// when SendBuffer is full.
type sendQueue struct {
	mu     sync.Mutex
	arena  arena // SendMsg copies messages here
	msgs   []outMsg
	bytes  int // queued here plus held unacknowledged by the loop
	limit  int
	space  notifier
	closed error // set when no more data is accepted
}

// recvQueue holds complete messages until RecvMsg takes them.
type recvQueue struct {
	mu     sync.Mutex
	msgs   []Message
	head   int
	bytes  int
	ready  notifier
	closed error // set when the association is gone; read after msgs drain
	eof    bool  // the peer shut down: no more messages will come
	// lowWindow is set by the loop when it advertised less than a
	// quarter of the buffer: a reader that frees space then wakes the
	// loop to send a window update.
	lowWindow bool
}

// pushAll queues messages and wakes readers.
func (q *recvQueue) pushAll(ms []Message) {
	q.mu.Lock()
	for _, m := range ms {
		q.push(m)
	}
	q.ready.broadcast()
	q.mu.Unlock()
}

func (q *recvQueue) push(m Message) {
	q.msgs = append(q.msgs, m)
	q.bytes += rxCost(len(m.Data))
}

// pop removes the first message; the caller holds mu and checked there is
// one.
func (q *recvQueue) pop() Message {
	m := q.msgs[q.head]
	q.msgs[q.head] = Message{}
	q.head++
	if q.head == len(q.msgs) {
		q.msgs, q.head = shrink(q.msgs[:0]), 0
	}
	q.bytes -= rxCost(len(m.Data))
	return m
}

func (q *recvQueue) empty() bool { return q.head == len(q.msgs) }
