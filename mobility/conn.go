package mobility

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// PPID is the payload protocol identifier of the application messages
// Conn sends (0: unspecified). Messages with ASAP's identifier, 11, are
// the node's own.
const PPID = 0

// DefaultResendBuffer is the default of Config.ResendBuffer.
const DefaultResendBuffer = 1024

// ErrResendBufferFull is the error of a Send whose context ended while
// the resend buffer was full: the peer had not reported enough messages
// delivered (it does not read, or the Conn is failing over).
var ErrResendBufferFull = errors.New("mobility: resend buffer full")

// ErrConnEnded is the error of Send and Recv after the Conn ended: it was
// closed, or a failover did not succeed.
var ErrConnEnded = errors.New("mobility: connection ended")

// Conn is a mobile association: a session with a peer named by its
// handle, carried by one SCTP association that survives both ends moving
// and, when that association cannot be saved, by a new one (failover).
// Send and Recv exchange messages; Stream gives a stream as a net.Conn.
// Events reports each step of every handover and failover. Recv must not
// be called concurrently with itself; the other methods may be.
//
// Every message is sent ordered and numbered per stream; the peer
// checkpoints what it delivered, and Conn keeps what it sent until then
// (at most Config.ResendBuffer messages). After a failover each end tells
// the other what it delivered, and the other sends the rest again: no
// message is lost or delivered twice.
type Conn struct {
	node    *Node
	token   token
	dialler bool   // this end dialled: it re-dials after a fallback
	streams uint16 // outgoing streams of the first association
	events  *eventq.Queue[Event]
	data    chan struct{} // capacity 1: data arrived
	adopted chan failoverResult
	resumed chan sessionMsg // the acceptor's answer to a Cookie Echo (dialler)
	ackDue  chan struct{}   // capacity 1: a checkpoint is due
	cards   chan wire.PoolHandle

	// sendMu orders sends: a Send holds it while its message goes out, a
	// failover while it resends, so that no new message overtakes a
	// resent one.
	sendMu sync.Mutex

	mu        sync.Mutex // guards what follows
	peer      wire.PoolHandle
	a         *stack.Association // the current association; nil while failing over
	tx        bool               // a is ready for sending (after the resend)
	sent      counts             // messages sent per stream
	acked     counts             // messages the peer reported delivered, per stream
	unacked   []outMsg           // sent and not acked, in sending order
	delivered counts             // messages received per stream
	sinceAck  int                // messages received since the last checkpoint
	in        inbox
	room      chan struct{} // capacity 1: the resend buffer has room
	ended     chan struct{} // closed when the Conn has ended
	endErr    error
	stats     ConnStats
	pumpDone  chan struct{} // closed when the pump of a has returned

	stop       context.CancelFunc
	driverDone chan struct{}
}

// outMsg is a message kept for resending.
type outMsg struct {
	stream uint16
	seq    uint64 // its number on the stream, from 1
	data   []byte
	// sent: handed to an association already. Messages numbered while
	// the Conn failed over go out for the first time in the resend.
	sent bool
}

func newConn(n *Node, a *stack.Association, peer wire.PoolHandle, tok token, dialler bool) *Conn {
	streams, _ := a.Streams()
	c := &Conn{node: n, a: a, tx: true, peer: peer, token: tok, dialler: dialler, streams: streams,
		events: eventq.New[Event](n.cfg.EventQueue), data: make(chan struct{}, 1),
		adopted: make(chan failoverResult, 1), resumed: make(chan sessionMsg, 1),
		ackDue: make(chan struct{}, 1), cards: make(chan wire.PoolHandle, 1),
		sent: counts{}, acked: counts{}, delivered: counts{}, in: newInbox(),
		room: make(chan struct{}, 1), ended: make(chan struct{}), driverDone: make(chan struct{})}
	return c
}

// PeerHandle returns the peer's pool handle: the one dialled, or the one
// of the peer's Business Card (EventPeerHandle); empty for a pool user.
func (c *Conn) PeerHandle() wire.PoolHandle {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peer
}

func (c *Conn) setPeer(h wire.PoolHandle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.peer = h
}

// Association returns the current SCTP association, for its stats and
// paths; nil while the Conn fails over. Its events belong to the
// handover driver: read Events instead.
func (c *Conn) Association() *stack.Association {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.a
}

// Events returns the handover events. It is closed when the Conn has
// ended. When it is not read, the oldest events are dropped.
func (c *Conn) Events() <-chan Event { return c.events.C() }

// Stats returns the Conn's counters.
func (c *Conn) Stats() ConnStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Unacked = len(c.unacked)
	return st
}

// Send sends one message on a stream other than 0. While the Conn fails
// over, the message waits for the new association. It blocks while the
// resend buffer is full.
func (c *Conn) Send(ctx context.Context, b []byte, stream uint16) error {
	if stream == controlStream {
		return errControlStream
	}
	if len(b) == 0 {
		return errors.New("mobility: empty message")
	}
	if stream >= c.streams {
		return stack.ErrInvalidStream // checked here too: while failing over no association does
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	a, err := c.number(ctx, b, stream)
	if err != nil || a == nil {
		return err
	}
	if err := a.SendMsg(ctx, b, stack.SendInfo{Stream: stream, PPID: PPID}); err != nil {
		if ctx.Err() != nil {
			c.unnumber(stream) // never sent: the next message takes its number
			return err
		}
		// The association is ending: the failover that follows sends
		// the message again, or the Conn ends.
	}
	return nil
}

// number gives the message the next number on its stream and keeps it for
// resending; it returns the association to send it on, nil while the Conn
// fails over. The caller holds sendMu; number lets go of it while it
// waits for room in the resend buffer, because a failover needs it to
// resend, and only the resend (and the peer's checkpoints after it) makes
// room while the Conn fails over.
func (c *Conn) number(ctx context.Context, b []byte, stream uint16) (*stack.Association, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.node.resendBuffer()
	if len(c.unacked) >= limit {
		c.stats.BufferFull++
	}
	for len(c.unacked) >= limit {
		c.mu.Unlock()
		c.sendMu.Unlock()
		var done error
		select {
		case <-c.room:
		case <-ctx.Done():
			done = ctx.Err()
		case <-c.ended:
		}
		c.sendMu.Lock()
		c.mu.Lock()
		if done != nil {
			return nil, fmt.Errorf("%w: %w", ErrResendBufferFull, done)
		}
		if c.endErr != nil {
			break
		}
	}
	if c.endErr != nil {
		return nil, c.endErr
	}
	c.sent[stream]++
	c.unacked = append(c.unacked, outMsg{stream: stream, seq: c.sent[stream], data: append([]byte(nil), b...), sent: c.tx})
	c.stats.Sent++
	if !c.tx {
		return nil, nil
	}
	return c.a, nil
}

// unnumber takes back the last message numbered on stream.
func (c *Conn) unnumber(stream uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[stream]--
	c.unacked = c.unacked[:len(c.unacked)-1]
	c.stats.Sent--
}

// acknowledged forgets the messages the peer reported delivered.
func (c *Conn) acknowledged(d counts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, n := range d {
		c.acked[s] = max(c.acked[s], min(n, c.sent[s]))
	}
	kept := c.unacked[:0]
	for _, m := range c.unacked {
		if m.seq > c.acked[m.stream] {
			kept = append(kept, m)
		}
	}
	clear(c.unacked[len(kept):])
	c.unacked = kept
	if len(c.unacked) < c.node.resendBuffer() {
		select {
		case c.room <- struct{}{}:
		default:
		}
	}
}

// Recv reads the next application message into b, and returns its length
// and stream; a message longer than b comes over several calls. After the
// peer closed the Conn and every message was read, it returns io.EOF.
func (c *Conn) Recv(ctx context.Context, b []byte) (int, uint16, error) {
	return c.in.read(ctx, c, anyStream, b, nil)
}

// noteData tells the driver that data arrived (for EventFirstData).
func (c *Conn) noteData() {
	select {
	case c.data <- struct{}{}:
	default:
	}
}

// end ends the Conn with err (ErrConnEnded wrapped) unless it has ended.
func (c *Conn) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.endErr != nil {
		return
	}
	c.endErr = err
	close(c.ended)
}

// Close shuts the current association down gracefully, stops the driver
// and ends the Conn.
func (c *Conn) Close() error {
	a := c.Association()
	var err error
	if a != nil {
		err = a.Close()
	}
	c.end(ErrConnEnded)
	c.stop()
	<-c.driverDone
	c.node.forget(c)
	if errors.Is(err, stack.ErrClosed) {
		return nil
	}
	return err
}
