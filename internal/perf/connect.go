package perf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
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
	r.Retrying = func(to netip.AddrPort, sent int) {
		// Retrying runs on the association's loop, which must not wait
		// for a slow terminal.
		go con.diag(fmt.Sprintf("no answer from %v yet, retrying (%d INITs sent)", to, sent))
	}
	a, err := ep.Dial(ctx, r)
	if err != nil && errors.Is(context.Cause(ctx), errConnectTimeout) {
		// The stack's error says what was tried; say first that it is
		// the client that gave up, and when.
		return nil, fmt.Errorf("gave up when the connect timeout of %v ran out: %w", cfg.ConnectTimeout, err)
	}
	return a, err
}

var errConnectTimeout = errors.New("connect timeout")
