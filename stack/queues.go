package stack

import (
	"math"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The association's rounds own all protocol state (assoc_owner.go). API
// goroutines and the socket readers reach it only through the queues
// below: each holds a mutex for a few instructions, and whoever queued the
// work runs the round or has the round under way run one more, so a burst
// of work costs one round.

// notifier is a broadcast signal that waiters block on through a channel
// (durably blocking, as testing/synctest requires) instead of a sync.Cond.
// Each waiter gets a one-slot channel, and one token in it from the next
// broadcast. The notifier keeps a spare for the next wait: a
// request/response exchange waits for every answer, and a channel made
// and closed per wait was a third of a resolution's allocations. (Spares
// are not pooled across notifiers: a channel made in one synctest bubble
// cannot block a goroutine of another.)
type notifier struct {
	waiters []chan struct{}
	spare   chan struct{}
	hook    func() // called at every broadcast too, if set (see OnRecv)
}

// wait registers a waiter and returns the channel that the next broadcast
// sends to. Call with the owning mutex held, and done with ch, with the
// mutex held again, when the wait is over, woken or not.
func (n *notifier) wait() chan struct{} {
	ch := n.spare
	n.spare = nil
	if ch == nil {
		ch = make(chan struct{}, 1)
	}
	n.waiters = append(n.waiters, ch)
	return ch
}

// done ends the wait on ch and keeps ch as the spare. Call with the owning
// mutex held.
func (n *notifier) done(ch chan struct{}) {
	if i := slices.Index(n.waiters, ch); i >= 0 {
		n.waiters = slices.Delete(n.waiters, i, i+1) // interrupted before any broadcast
	}
	select {
	case <-ch: // a broadcast that came after the waiter stopped waiting
	default:
	}
	if n.spare == nil {
		n.spare = ch
	}
}

// broadcast wakes every waiter. Call with the owning mutex held. A
// waiter's channel has room for its one token: this never blocks.
func (n *notifier) broadcast() {
	for _, ch := range n.waiters {
		ch <- struct{}{}
	}
	clear(n.waiters)
	n.waiters = n.waiters[:0]
	if n.hook != nil {
		n.hook()
	}
}

// rxPacket is a received datagram, held for the loop.
type rxPacket struct {
	buf    rxBuf // holds data; goes back through bufPool.put
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
	// whole is the largest message the loop last sent in one chunk
	// (fragSizes), 0 before its first; SendMsg checksums or frames no
	// larger one (see payloadLayout).
	whole atomic.Int32
	// room is the length of the association's DATA or I-DATA chunk
	// header, which SendMsg leaves room for ahead of a small message (see
	// payloadFramed); 0 until the loop sets it.
	room int
}

// roomy reports whether a third of the buffer is free, the least a
// writer blocked on a full buffer is woken for, as Linux wakes the writer
// of a TCP socket (sk_stream_write_space), instead of at every SACK that
// frees a little. At 1000-byte messages on loopback a bulk sender took
// 1-5% less of the client's CPU per byte (2.5% in the longest set of
// alternating runs). A writer whose message would fit earlier waits a
// little longer, on a buffer that is nearly full anyway.
func (q *sendQueue) roomy() bool { return q.limit-q.bytes >= q.limit/3 }

// noteWhole records the largest message that goes in one chunk.
func (q *sendQueue) noteWhole(n int) {
	if int(q.whole.Load()) != n { // a store would take the cache line from SendMsg
		q.whole.Store(int32(n))
	}
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
	watch  *windowWatch
	// rel gathers the releases of the messages read, which mostly come
	// from one arena block, until one of another block is read or the
	// queue is trimmed: a block is recycled that much later, and one never
	// released is left to the collector, which costs only its reuse.
	rel slabReleases
}

// windowWatch tells the readers of an association's receive queues when
// what they read may have opened the window far enough for the update
// the association then owes the peer (windowUpdate), so that they run a
// round for it then and not at every read: with tiny messages that was a
// round per message. The association sets dueAt, from a count of read
// taken before it counted the window: reads between the two are counted
// twice, so a reader may run a round early, never late; a round that
// finds the update not yet worth it sets dueAt again.
type windowWatch struct {
	read  atomic.Int64 // receive buffer space freed by reads, ever
	dueAt atomic.Int64 // read at which an update may be due; MaxInt64 while none is wanted
}

func (w *windowWatch) init() { w.dueAt.Store(math.MaxInt64) }

// freed adds n bytes read and reports whether an update may be due.
func (w *windowWatch) freed(n int) bool { return w.read.Add(int64(n)) >= w.dueAt.Load() }

// pushAll queues messages and wakes readers.
func (q *recvQueue) pushAll(ms []Message) {
	q.mu.Lock()
	for _, m := range ms {
		q.push(m)
	}
	q.ready.broadcast()
	q.mu.Unlock()
}

// push queues m. A full slice whose front half has been read is
// compacted instead of grown: a reader that keeps up with a stream of
// tiny messages but never quite empties the queue would otherwise have
// append copy it into ever larger arrays (200 bytes allocated per
// 1-byte message).
func (q *recvQueue) push(m Message) {
	if len(q.msgs) == cap(q.msgs) && q.head > 0 && q.head >= len(q.msgs)/2 {
		n := copy(q.msgs, q.msgs[q.head:])
		clear(q.msgs[n:])
		q.msgs, q.head = q.msgs[:n], 0
	}
	q.msgs = append(q.msgs, m)
	q.bytes += rxCost(len(m.Data))
}

// pop drops the first message, which has been read, and releases its
// data; the caller holds mu and checked there is one.
func (q *recvQueue) pop() {
	m := &q.msgs[q.head]
	q.bytes -= rxCost(len(m.Data))
	q.rel.add(m.blk)
	*m = Message{}
	q.head++
	if q.head == len(q.msgs) {
		// The array stays for the next messages: a reader that keeps up
		// empties the queue all the time. An idle association gives it
		// back (trim).
		q.msgs, q.head = q.msgs[:0], 0
	}
}

// takeAll empties q and returns its messages, for another queue.
func (q *recvQueue) takeAll() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	ms := slices.Clone(q.msgs[q.head:])
	q.msgs, q.head, q.bytes = nil, 0, 0
	q.rel.flush()
	return ms
}

// trim gives back the array of an empty queue.
func (q *recvQueue) trim() {
	q.mu.Lock()
	if q.empty() {
		q.msgs, q.head = nil, 0
	}
	q.rel.flush()
	q.mu.Unlock()
}

func (q *recvQueue) empty() bool { return q.head == len(q.msgs) }
