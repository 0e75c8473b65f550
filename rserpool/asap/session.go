package asap

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"github.com/mobisctp/mobisctp/internal/eventq"
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Session defaults, RSPLIB's.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultRetryDelay     = 250 * time.Millisecond
)

// SessionConfig configures a session. Zero fields take their defaults.
type SessionConfig struct {
	// ConnectTimeout bounds the association setup with one element (5 s).
	ConnectTimeout time.Duration
	// RetryDelay is the pause before trying again when no element could
	// be reached (250 ms).
	RetryDelay time.Duration
	// EventQueue is the capacity of the event channel (16).
	EventQueue int
	// ConnectWait bounds how long Connect keeps resolving the pool and
	// trying its elements while none can be reached. At 0, Connect fails
	// after one round (a resolution, then every element it found) with
	// an error matching ErrNoElement (or ErrNoRegistrar, or the last
	// connect failure); negative waits until Connect's ctx ends.
	ConnectWait time.Duration
}

func (c SessionConfig) withDefaults() SessionConfig {
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	return c
}

// Seq numbers the messages a session sends, from 1.
type Seq uint64

// pending is a message sent and not yet acknowledged by the application.
type pending struct {
	seq  Seq
	data []byte
	info stack.SendInfo
}

// recvQueue is how many received messages wait for Recv before the
// session stops reading, which lets SCTP flow control slow the element.
const recvQueue = 64

// Session is a pool user's session with a pool: one element at a time,
// another one after a failure. Its methods are safe for concurrent use.
//
// The sessions of a User share its endpoint, and SCTP allows one
// association between two endpoints: two sessions are never served by one
// element at the same time. A session passes over an element that another
// one is connected to (SessionConnectFailed with an error that matches
// stack.ErrAssociated) and does not report it as unreachable; with no
// other element, it fails or tries again as for any element that cannot
// be reached (see ConnectWait). Several sessions with one element need a
// User on an endpoint each.
type Session struct {
	u      *User
	handle wire.PoolHandle
	cfg    SessionConfig
	events *eventq.Queue[SessionEvent]
	in     chan Message  // received data, for Recv
	wake   chan struct{} // a Send found no association
	up     chan struct{} // closed at the first connection

	ctx       context.Context // ends at Close
	cancel    context.CancelFunc
	done      chan struct{} // closed when run has returned
	closeOnce sync.Once

	// sendMu orders sends: a Send holds it while its message goes out, a
	// failover while it resends, so that resent messages keep their
	// order and no new one overtakes them.
	sendMu sync.Mutex

	mu      sync.Mutex // guards what follows
	assoc   *stack.Association
	element wire.PoolElement
	unacked []pending // in Seq order
	seq     Seq
	cookie  []byte             // the element's last Cookie
	card    []wire.PoolElement // failover candidates from a Business Card
	lastErr error              // the last failure, for Connect's error
	gaveUp  error              // why run gave up on the first connection
	stats   Stats
}

// Stats counts what a session did.
type Stats struct {
	Unacked   int    // messages waiting for Ack
	Failovers uint64 // connections to a new element after the first
	Resent    uint64 // messages sent again after failovers
	Discarded uint64 // ASAP messages from elements dropped as malformed or misplaced
}

// Connect opens a session with the pool: it resolves the handle and
// connects to an element, trying others until one answers or ctx is done.
func (u *User) Connect(ctx context.Context, handle wire.PoolHandle, cfg SessionConfig) (*Session, error) {
	cfg = cfg.withDefaults()
	sctx, cancel := context.WithCancel(u.ctx)
	s := &Session{
		u: u, handle: bytes.Clone(handle), cfg: cfg,
		events: eventq.New[SessionEvent](cfg.EventQueue),
		in:     make(chan Message, recvQueue),
		wake:   make(chan struct{}, 1),
		up:     make(chan struct{}),
		ctx:    sctx, cancel: cancel,
		done: make(chan struct{}),
	}
	go s.run()
	select {
	case <-s.up:
		return s, nil
	case <-s.done: // the user closed, or ConnectWait passed
		s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gaveUp != nil {
			return nil, s.gaveUp
		}
		return nil, ErrClosed
	case <-ctx.Done():
		s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.lastErr == nil {
			return nil, fmt.Errorf("asap: no element of pool %q reached: %w", handle, ctx.Err())
		}
		return nil, fmt.Errorf("asap: no element of pool %q reached: %w (last error: %w)", handle, ctx.Err(), s.lastErr)
	}
}

// Send sends a message to the current element and keeps it until Ack(seq).
// It fails only when ctx ends before the message could be queued, or
// after Close: if the element fails, the session resends the message to
// the next one. Application data must not use PPID 11.
func (s *Session) Send(ctx context.Context, data []byte, info stack.SendInfo) (Seq, error) {
	if info.PPID == wire.PPIDASAP {
		return 0, ErrReservedPPID
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		return 0, ErrClosed
	}
	s.seq++
	seq, a := s.seq, s.assoc
	s.unacked = append(s.unacked, pending{seq: seq, data: bytes.Clone(data), info: info})
	s.mu.Unlock()
	if a == nil {
		s.poke()
		return seq, nil
	}
	if err := a.SendMsg(ctx, data, info); err != nil && ctx.Err() != nil {
		s.Ack(seq) // never sent: nothing to resend
		return 0, err
	}
	// Any other error means the association is ending: the failover that
	// follows resends the message.
	return seq, nil
}

// poke tells run that a message waits for an association.
func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Ack marks message seq as done with, by the application's own protocol;
// the session forgets it. It reports whether seq was waiting.
func (s *Session) Ack(seq Seq) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := slices.BinarySearchFunc(s.unacked, seq, func(p pending, q Seq) int { return cmp.Compare(p.seq, q) })
	if found {
		s.unacked = slices.Delete(s.unacked, i, i+1)
	}
	return found
}

// Recv returns the next application message from the element.
func (s *Session) Recv(ctx context.Context) (Message, error) {
	select {
	case m := <-s.in:
		return m, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
	case <-s.ctx.Done():
		return Message{}, ErrClosed
	}
}

// Events returns the session's events; see SessionEventType. The channel
// is closed after Close. When it is not read, the oldest events are
// dropped.
func (s *Session) Events() <-chan SessionEvent { return s.events.C() }

// Element returns the element the session is connected to, and false
// while it has none.
func (s *Session) Element() (wire.PoolElement, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.element, s.assoc != nil
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Unacked = len(s.unacked)
	return st
}

// Close ends the session: the association with the element is shut down
// gracefully. Unacknowledged messages are forgotten, and what the element
// still sends is dropped.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
		s.mu.Lock()
		a := s.assoc
		s.assoc = nil
		s.mu.Unlock()
		if a != nil {
			shutdown(a)
		}
		s.events.Close()
	})
	return nil
}

// shutdown closes a gracefully. It reads meanwhile: an element that keeps
// sending (chargen) would otherwise fill the receive window and hold the
// shutdown up until it times out.
func shutdown(a *stack.Association) {
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		buf := make([]byte, initialBuffer)
		for {
			if _, _, err := a.RecvMsg(context.Background(), buf); err != nil {
				return
			}
		}
	}()
	a.Close()
	<-drained
}

func (s *Session) post(e SessionEvent) {
	e.Time = time.Now()
	if e.Err != nil {
		s.mu.Lock()
		s.lastErr = e.Err
		s.mu.Unlock()
	}
	s.events.Post(e)
}
