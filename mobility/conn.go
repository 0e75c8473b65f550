package mobility

import (
	"context"
	"crypto/ecdh"
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
// the resend buffer was full: the peer's application had not read enough
// messages (it does not read, or the Conn is failing over).
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
	// resent one. A Send never holds it while it waits for room in the
	// resend buffer: the failover's resend is what frees that room.
	sendMu sync.Mutex

	mu        sync.Mutex // guards what follows
	peer      wire.PoolHandle
	a         *stack.Association // the current association; nil while failing over
	tx        bool               // a is ready for sending (after the resend)
	sent      counts             // messages sent per stream
	acked     counts             // messages the peer reported delivered, per stream
	unacked   []outMsg           // sent and not acked, in sending order
	delivered counts             // messages received per stream (in the inbox or read)
	consumed  counts             // messages the application read, per stream: checkpointed
	sinceAck  int                // messages read since the last checkpoint
	in        inbox
	room      chan struct{} // closed when the resend buffer has room again; nil: nobody waits
	ended     chan struct{} // closed when the Conn has ended
	endErr    error
	stats     ConnStats
	pumpDone  chan struct{} // closed when the pump of a has returned
	// The session key (session_key.go): a dialler holds its private key
	// until the acceptor's answer to the opening gives it the key.
	keyPriv *ecdh.PrivateKey
	key     []byte
	opened  chan struct{} // closed once the session has its key
	resumes uint64        // the last continuation counter sent (dialler) or accepted (acceptor)

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

func newConn(n *Node, a *stack.Association, o opening) *Conn {
	streams, _ := a.Streams()
	c := &Conn{node: n, a: a, tx: true, peer: o.peer, token: o.tok, dialler: o.dialler, streams: streams, keyPriv: o.priv, key: o.key,
		events: eventq.New[Event](n.cfg.EventQueue), data: make(chan struct{}, 1),
		adopted: make(chan failoverResult, 1), resumed: make(chan sessionMsg, 1),
		ackDue: make(chan struct{}, 1), cards: make(chan wire.PoolHandle, 1),
		sent: counts{}, acked: counts{}, delivered: counts{}, consumed: counts{}, in: newInbox(),
		ended: make(chan struct{}), driverDone: make(chan struct{}), opened: make(chan struct{})}
	if o.key != nil {
		close(c.opened)
	}
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
// over, the message waits for the new association. While the resend
// buffer is full (the peer's application has not read enough, or the
// Conn is failing over) it blocks, like a write to a full socket, until
// there is room, ctx ends (ErrResendBufferFull) or the Conn ends.
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
	a, err := c.numberLocked(ctx, b, stream)
	if err != nil {
		return err
	}
	defer c.sendMu.Unlock()
	if a == nil {
		return nil
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

// numberLocked waits for room in the resend buffer without holding
// sendMu, then takes sendMu and numbers the message (see number). Without
// an error it returns with sendMu held. Another Send may take the room
// first: then it waits again.
func (c *Conn) numberLocked(ctx context.Context, b []byte, stream uint16) (*stack.Association, error) {
	for {
		if err := c.waitRoom(ctx); err != nil {
			return nil, err
		}
		c.sendMu.Lock()
		a, ok, err := c.number(b, stream)
		if ok {
			return a, nil
		}
		c.sendMu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// waitRoom waits until the resend buffer has room, ctx ends or the Conn
// ends. Each wait is counted in ConnStats.BufferFull.
func (c *Conn) waitRoom(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.unacked) >= c.node.resendBuffer() && c.endErr == nil {
		if c.room == nil {
			c.room = make(chan struct{})
		}
		room := c.room
		c.stats.BufferFull++
		c.mu.Unlock()
		select {
		case <-room:
		case <-c.ended:
		case <-ctx.Done():
			c.mu.Lock()
			return fmt.Errorf("%w: %w", ErrResendBufferFull, ctx.Err())
		}
		c.mu.Lock()
	}
	return c.endErr
}

// number gives the message the next number on its stream and keeps it for
// resending; it returns the association to send it on, nil while the Conn
// fails over. ok is false when the resend buffer is full or the Conn
// ended (err).
func (c *Conn) number(b []byte, stream uint16) (a *stack.Association, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.endErr != nil {
		return nil, false, c.endErr
	}
	if len(c.unacked) >= c.node.resendBuffer() {
		return nil, false, nil
	}
	c.sent[stream]++
	c.unacked = append(c.unacked, outMsg{stream: stream, seq: c.sent[stream], data: append([]byte(nil), b...), sent: c.tx})
	c.stats.Sent++
	if !c.tx {
		return nil, true, nil
	}
	return c.a, true, nil
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
	if len(c.unacked) < c.node.resendBuffer() && c.room != nil {
		close(c.room) // wakes every waiting Send
		c.room = nil
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
