package perf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// DefaultConnectTimeout bounds how long a client tries to reach its
// server. The INIT retransmissions alone would go on for about four
// minutes with the stack's defaults (9 INITs, RTO 1 s doubling to 60 s).
const DefaultConnectTimeout = 30 * time.Second

// dial connects to cfg.Remote for at most cfg.ConnectTimeout, saying on
// stderr each time an INIT went unanswered, so that nobody waits in
// silence.
func dial(ctx context.Context, ep *stack.Endpoint, cfg ClientConfig, con *console) (*stack.Association, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, cfg.ConnectTimeout, errConnectTimeout)
	defer cancel()
	r := cfg.Remote
	notes := newRetryNotes(con)
	r.Retrying = notes.post
	a, err := ep.Dial(ctx, r)
	notes.close() // every note is printed before what the caller prints next
	if err != nil && errors.Is(context.Cause(ctx), errConnectTimeout) {
		// The stack's error says what was tried; say first that it is
		// the client that gave up, and when.
		return nil, fmt.Errorf("gave up when the connect timeout of %v ran out: %w", cfg.ConnectTimeout, err)
	}
	return a, err
}

var errConnectTimeout = errors.New("connect timeout")

// retryNotes prints the "no answer yet" notes of a dial in order, on a
// goroutine of their own: Retrying runs on the association's loop, which
// must not wait for a slow terminal. Notes after close, or beyond the
// queue, are dropped.
type retryNotes struct {
	mu     sync.Mutex
	closed bool
	queue  chan string
	done   chan struct{}
}

func newRetryNotes(con *console) *retryNotes {
	n := &retryNotes{queue: make(chan string, 16), done: make(chan struct{})}
	go func() {
		defer close(n.done)
		for note := range n.queue {
			con.diag(note)
		}
	}()
	return n
}

func (n *retryNotes) post(to netip.AddrPort, sent int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	select {
	case n.queue <- fmt.Sprintf("no answer from %v yet, retrying (%d INITs sent)", to, sent):
	default:
	}
}

// close stops taking notes and waits until those taken are printed.
func (n *retryNotes) close() {
	n.mu.Lock()
	n.closed = true
	close(n.queue)
	n.mu.Unlock()
	<-n.done
}
