package mobility

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The messages of the current association are read by one goroutine, the
// pump, into the Conn's inbox, which outlives associations: a message
// counts as delivered when it is in the inbox, so the counts a Conn
// reports in a failover are exact.
//
// The pump never waits: it reads the control messages of stream 0
// (checkpoints, the answer to a Cookie Echo) and the application's data
// from one association, and a pump that waited for the application to
// read would leave the peer's checkpoints unread behind the data. When
// the application's reader itself waits for those checkpoints (an echo
// server whose reader calls Send with the resend buffer full), both ends
// would wait forever. The SCTP receive window cannot help either: it is
// shared by all streams, so a checkpoint cannot pass data that fills it.
// Instead the flow control is the peer's resend buffer: a checkpoint
// reports the messages the application read (consumed), not those in the
// inbox, so the peer keeps every unread message and its Send blocks
// while Config.ResendBuffer of them are unread or in flight. The inbox
// thus never holds more than the peer's resend buffer.

const (
	anyStream = -1 // the inbox queue of the streams not opened with Stream
	// earlyLimit bounds the application messages an acceptor takes
	// before the session's opening Cookie Echo.
	earlyLimit = 64
	// ackEvery is how many messages the application reads between
	// checkpoints; fewer are checkpointed after ackDelay, so that a sender
	// whose resend buffer is smaller, or that stopped, learns of them too.
	ackEvery = 16
	ackDelay = 200 * time.Millisecond
)

type inMsg struct {
	stream uint16
	data   []byte
}

type msgQueue struct {
	msgs  []inMsg
	ready chan struct{} // capacity 1: a message arrived
}

// inbox holds the messages received and not yet read, per queue: one per
// stream opened with Stream, one for the others. Guarded by Conn.mu.
type inbox struct {
	queues map[int]*msgQueue
	eof    bool // the peer shut the association down and the pump read it all
}

func newInbox() inbox { return inbox{queues: map[int]*msgQueue{}} }

func (in *inbox) queue(key int) *msgQueue {
	q := in.queues[key]
	if q == nil {
		q = &msgQueue{ready: make(chan struct{}, 1)}
		in.queues[key] = q
	}
	return q
}

// key returns the queue of a stream's messages.
func (in *inbox) key(stream uint16) int {
	if _, ok := in.queues[int(stream)]; ok {
		return int(stream)
	}
	return anyStream
}

// open gives stream its own queue, with the messages of the stream already
// waiting in the common one.
func (in *inbox) open(stream uint16) {
	q, all := in.queue(int(stream)), in.queue(anyStream)
	kept := all.msgs[:0]
	for _, m := range all.msgs {
		if m.stream == stream {
			q.msgs = append(q.msgs, m)
		} else {
			kept = append(kept, m)
		}
	}
	all.msgs = kept
	signal(q.ready)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// read takes bytes of the next message of queue key into b; closed
// interrupts it (nil: never).
func (in *inbox) read(ctx context.Context, c *Conn, key int, b []byte, closed <-chan struct{}) (int, uint16, error) {
	for {
		c.mu.Lock()
		q := in.queue(key)
		if len(q.msgs) > 0 {
			m := &q.msgs[0]
			n, stream := copy(b, m.data), m.stream
			if n < len(m.data) {
				m.data = m.data[n:]
			} else {
				q.msgs[0] = inMsg{}
				q.msgs = q.msgs[1:]
				c.consume(stream)
			}
			if len(q.msgs) > 0 {
				signal(q.ready)
			}
			c.mu.Unlock()
			return n, stream, nil
		}
		err := c.endErr
		if in.eof {
			err = io.EOF
		}
		c.mu.Unlock()
		if err != nil {
			return 0, 0, err
		}
		select {
		case <-q.ready:
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-c.ended:
		case <-closed:
			return 0, 0, errStreamClosed
		}
	}
}

// pump reads a's messages until it ends: stream 0 to the node, the others
// to the inbox while a is the Conn's association.
func (c *Conn) pump(a *stack.Association) {
	buf := make([]byte, 64<<10)
	var msg []byte
	for {
		n, info, err := a.RecvMsg(context.Background(), buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				c.peerClosed(a)
			}
			return
		}
		msg = append(msg, buf[:n]...)
		if !info.EOR {
			continue
		}
		switch {
		case info.Stream == controlStream:
			c.onControl(a, info, msg)
		case info.PPID == wire.PPIDASAP:
			// ASAP on another stream than the node's: not the application's
		default:
			c.deliver(a, info.Stream, msg)
		}
		msg = nil
	}
}

// deliver queues a message of a for the application, unless a is no
// longer the Conn's association: then the message is not counted and the
// peer sends it again on the next one. It never waits (see above).
func (c *Conn) deliver(a *stack.Association, stream uint16, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.a != a || c.endErr != nil {
		return
	}
	q := c.in.queue(c.in.key(stream))
	c.delivered[stream]++
	c.stats.Delivered++
	q.msgs = append(q.msgs, inMsg{stream: stream, data: data})
	signal(q.ready)
	c.noteData()
}

// consume counts a message the application read, for the checkpoints.
// The caller holds c.mu.
func (c *Conn) consume(stream uint16) {
	c.consumed[stream]++
	c.sinceAck++
	if c.sinceAck == 1 || c.sinceAck >= ackEvery {
		signal(c.ackDue)
	}
}

// onControl handles a message on stream 0. Malformed ones, and session
// cookies of another session, are dropped: the stream is the node's.
func (c *Conn) onControl(a *stack.Association, info stack.RecvInfo, b []byte) {
	if info.PPID != wire.PPIDASAP {
		return
	}
	m, err := parseControl(b)
	if err != nil {
		c.node.discarded.Add(1)
		return
	}
	switch {
	case m.card != nil:
		select {
		case <-c.cards: // the latest card wins
		default:
		}
		c.cards <- m.card
	case m.session == nil || m.session.token != c.token || m.echo:
		c.node.discarded.Add(1)
	case m.session.kind == kindCheckpoint:
		c.acknowledged(m.session.delivered)
	case m.session.kind == kindOpened:
		if !c.keyed(m.session.pub) {
			c.node.discarded.Add(1)
		}
	case m.session.kind == kindResumed && c.dialler && c.Association() == a:
		select {
		case c.resumed <- *m.session:
		default:
		}
	}
}

// peerClosed notes that the peer shut a down and everything was read.
func (c *Conn) peerClosed(a *stack.Association) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.a != a {
		return
	}
	c.in.eof = true
	for _, q := range c.in.queues {
		signal(q.ready)
	}
}

// checkpoints sends a checkpoint when the application read ackEvery
// messages since the last one, or ackDelay after the first of fewer, until ctx
// ends.
func (c *Conn) checkpoints(ctx context.Context) {
	var later <-chan time.Time
	for {
		fired := false
		select {
		case <-ctx.Done():
			return
		case <-c.ackDue:
		case <-later:
			fired = true
		}
		c.mu.Lock()
		if c.sinceAck == 0 || c.sinceAck < ackEvery && !fired {
			if c.sinceAck > 0 && later == nil {
				later = time.After(ackDelay)
			}
			c.mu.Unlock()
			continue
		}
		later = nil
		a, ok := c.a, c.tx
		if !ok || a == nil {
			// Failing over. The counts the failover exchanges are those
			// of before it, and what the new association delivers before
			// its resend is done would otherwise never be checkpointed:
			// the peer would keep it, its resend buffer filling up. Try
			// again after the resend.
			if c.endErr == nil {
				later = time.After(ackDelay)
			}
			c.mu.Unlock()
			continue
		}
		m := sessionMsg{kind: kindCheckpoint, token: c.token, delivered: cloneCounts(c.consumed)}
		c.sinceAck = 0
		c.mu.Unlock()
		_ = sendSession(ctx, a, m) // a failure means the association is ending: the failover tells the same
	}
}

func cloneCounts(c counts) counts {
	out := make(counts, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}
