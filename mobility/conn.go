package mobility

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// PPID is the payload protocol identifier of the application messages
// Conn sends (0: unspecified). Messages with ASAP's identifier, 11, are
// the node's own.
const PPID = 0

// Conn is a mobile association: one SCTP association with a peer named
// by its handle, that survives both ends moving. Send and Recv exchange
// messages; Stream gives a stream as a net.Conn. Events reports each step
// of every handover. Recv must not be called concurrently with itself;
// the other methods may be.
type Conn struct {
	a      *stack.Association
	events *eventq.Queue[Event]
	data   chan struct{} // capacity 1: data arrived

	mu   sync.Mutex
	peer wire.PoolHandle

	stop       context.CancelFunc
	driverDone chan struct{}
}

func newConn(a *stack.Association, peer wire.PoolHandle, queue int) *Conn {
	return &Conn{a: a, peer: peer, events: eventq.New[Event](queue),
		data: make(chan struct{}, 1), driverDone: make(chan struct{})}
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

// Association returns the SCTP association, for its stats and paths. Its
// events belong to the handover driver: read Events instead.
func (c *Conn) Association() *stack.Association { return c.a }

// Events returns the handover events. It is closed when the association
// has ended. When it is not read, the oldest events are dropped.
func (c *Conn) Events() <-chan Event { return c.events.C() }

// Send sends one message on a stream other than 0.
func (c *Conn) Send(ctx context.Context, b []byte, stream uint16) error {
	if stream == controlStream {
		return errControlStream
	}
	return c.a.SendMsg(ctx, b, stack.SendInfo{Stream: stream, PPID: PPID})
}

// Recv reads the next application message into b, and returns its length
// and stream. ASAP messages from the peer are skipped.
func (c *Conn) Recv(ctx context.Context, b []byte) (int, uint16, error) {
	for {
		n, info, err := c.a.RecvMsg(ctx, b)
		if err != nil {
			return 0, 0, err
		}
		if info.PPID == wire.PPIDASAP {
			continue // ASAP on another stream than the node's: not the application's
		}
		c.noteData()
		return n, info.Stream, nil
	}
}

// noteData tells the driver that data arrived (for EventFirstData).
func (c *Conn) noteData() {
	select {
	case c.data <- struct{}{}:
	default:
	}
}

// Stream opens a stream other than 0 as a net.Conn (each Write one
// message). Its messages no longer go to Recv.
func (c *Conn) Stream(id uint16) (net.Conn, error) {
	if id == controlStream {
		return nil, errControlStream
	}
	s, err := c.a.Stream(id, PPID)
	if err != nil {
		return nil, err
	}
	return &stream{Stream: s, c: c}, nil
}

// stream reports reads to the driver.
type stream struct {
	*stack.Stream
	c *Conn
}

func (s *stream) Read(b []byte) (int, error) {
	n, err := s.Stream.Read(b)
	if n > 0 {
		s.c.noteData()
	}
	return n, err
}

// Close shuts the association down gracefully and stops its driver.
func (c *Conn) Close() error {
	err := c.a.Close()
	c.stop()
	<-c.driverDone
	if errors.Is(err, stack.ErrClosed) {
		return nil
	}
	return err
}
