package mobility

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

var errStreamClosed = net.ErrClosed

// Stream opens a stream other than 0 as a net.Conn: each Write sends one
// message, Read returns the bytes of the stream's messages in order. Its
// messages no longer go to Recv. The stream outlives failovers, like the
// Conn. A deadline applies to the Reads and Writes that start after it
// was set.
func (c *Conn) Stream(id uint16) (net.Conn, error) {
	if id == controlStream {
		return nil, errControlStream
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.in.queues[int(id)]; taken {
		return nil, errors.New("mobility: stream already open")
	}
	c.in.open(id)
	return &stream{c: c, id: id, closed: make(chan struct{})}, nil
}

// stream is a Conn's stream as a net.Conn.
type stream struct {
	c         *Conn
	id        uint16
	closeOnce sync.Once
	closed    chan struct{}

	mu     sync.Mutex
	rd, wd time.Time
}

func (s *stream) Read(b []byte) (int, error) {
	ctx, cancel := s.context(s.readDeadline())
	defer cancel()
	n, _, err := s.c.in.read(ctx, s.c, int(s.id), b, s.closed)
	return n, deadlineErr(err)
}

func (s *stream) Write(b []byte) (int, error) {
	select {
	case <-s.closed:
		return 0, errStreamClosed
	default:
	}
	ctx, cancel := s.context(s.writeDeadline())
	defer cancel()
	if err := s.c.Send(ctx, b, s.id); err != nil {
		return 0, deadlineErr(err)
	}
	return len(b), nil
}

// context returns a context that ends at deadline d (none if zero).
func (s *stream) context(d time.Time) (context.Context, context.CancelFunc) {
	if d.IsZero() {
		return context.WithCancel(context.Background())
	}
	return context.WithDeadline(context.Background(), d)
}

func deadlineErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return err
}

func (s *stream) readDeadline() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rd
}

func (s *stream) writeDeadline() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wd
}

// Close releases the stream: blocked and later calls return
// net.ErrClosed. Messages of the stream already queued stay queued.
func (s *stream) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

func (s *stream) LocalAddr() net.Addr {
	if a := s.c.Association(); a != nil {
		return &stack.Addr{IP: a.LocalAddr().Addr(), Port: a.LocalAddr().Port()}
	}
	return &stack.Addr{}
}

func (s *stream) RemoteAddr() net.Addr {
	if a := s.c.Association(); a != nil {
		return &stack.Addr{IP: a.RemoteAddr().Addr(), Port: a.PeerPort()}
	}
	return &stack.Addr{}
}

func (s *stream) SetDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rd, s.wd = t, t
	return nil
}

func (s *stream) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rd = t
	return nil
}

func (s *stream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wd = t
	return nil
}
