package asap

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// A move and the association with the registrar. The element's endpoint
// runs AutoASCONF, so the association follows the move by ASCONF, even
// break before make, and the element stays the association's: the
// registrar ties an element to the association that registered it, and
// refuses it to any other while that one lives (RFC 5355 registration
// spoofing, Rejection Due to Security Considerations). So a new
// association is only the way out when the old one is dead or does not
// follow the move within followTimeout; the registrar then refuses the
// element until it has found the old owner gone (a refused claim makes it
// send the owner a keep-alive at once, which fails within its keep-alive
// timeout), and the request is repeated with a short back-off meanwhile.
const (
	// followTimeout bounds the wait for the association to have a path
	// from one of the endpoint's current addresses: an Add IP Address
	// takes one round trip once the endpoint has seen its new address.
	followTimeout = 3 * time.Second
	// claimPatience bounds the repetitions of a request that the
	// registrar refuses for security reasons: its keep-alive timeout
	// (5 s by default) after our first refusal, and a round trip.
	claimPatience = 8 * time.Second
	// claimBackoff is the first pause before such a repetition; it
	// doubles up to claimBackoffMax.
	claimBackoff    = 100 * time.Millisecond
	claimBackoffMax = time.Second
	// followPoll is how often the path sources are looked at while
	// waiting for the association to follow, besides at each of its
	// events: a path's source changes without an event of its own.
	followPoll = 50 * time.Millisecond
)

// Reregister registers the element again at once, with the endpoint's
// current addresses, instead of waiting for the next renewal: the
// element has moved, and pool users must find it at its new addresses.
// The identifier stays the same, so the registrar replaces the element's
// transport addresses; a resolution right after the answer shows only the
// new ones.
//
// It re-registers over the association with the registrar once that has
// followed the move (a path from one of the endpoint's addresses), which
// keeps the element owned by the same association. Only if that
// association ended, or did not follow within followTimeout, it sets up a
// new one with whichever registrar of the list answers first, and repeats
// the registration while the registrar refuses it for security reasons
// (see above). The run loop carries on with the new association without
// reporting the old one as lost.
//
// It posts ElementReregistered on success, with the registrar.
func (e *Element) Reregister(ctx context.Context) error {
	c, err := e.regs.afterMove(ctx, &e.movedFrom, e.register)
	if err != nil {
		return fmt.Errorf("asap: re-registration after a move: %w", err)
	}
	e.post(ElementReregistered, c, nil)
	return nil
}

// afterMove runs try over the association with a registrar once it has
// followed the move, or else over a new one (storing the old one in from,
// if not nil), repeating try while the registrar refuses for security
// reasons.
func (s *registrarSet) afterMove(ctx context.Context, from *atomic.Pointer[registrarConn],
	try func(context.Context, *registrarConn) error) (*registrarConn, error) {
	c, err := s.followed(ctx, from)
	if err != nil {
		return nil, err
	}
	if err := retryRefused(ctx, c, try); err != nil {
		return nil, fmt.Errorf("registrar %v: %w", remoteString(c.remote), err)
	}
	return c, nil
}

// followed returns the current association once it has a path from one of
// the endpoint's addresses, or a new one if it ended or did not get there
// within followTimeout.
func (s *registrarSet) followed(ctx context.Context, from *atomic.Pointer[registrarConn]) (*registrarConn, error) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil && c.follow(ctx, s.ep, followTimeout) {
		return c, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return s.replace(ctx, from, "endpoint moved, association did not follow")
}

// follow waits at most d until the association has a path whose source is
// one of ep's addresses, and reports whether it got one before it ended.
func (c *registrarConn) follow(ctx context.Context, ep *stack.Endpoint, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	poll := time.NewTicker(followPoll)
	defer poll.Stop()
	for !usableAfterMove(c.a, ep.LocalAddrs()) {
		select {
		case <-c.done:
			return false
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-c.a.Events(): // nothing else reads a registrar association's events
		case <-poll.C:
		}
	}
	return !c.ended()
}

// retryRefused runs try over c, and again after a pause doubling from
// claimBackoff while the registrar refuses for security reasons, for
// claimPatience at most.
func retryRefused(ctx context.Context, c *registrarConn, try func(context.Context, *registrarConn) error) error {
	giveUp := time.Now().Add(claimPatience)
	pause := claimBackoff
	for {
		err := try(ctx, c)
		if !refusedForSecurity(err) || time.Now().Add(pause).After(giveUp) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return c.err
		case <-time.After(pause):
		}
		pause = min(2*pause, claimBackoffMax)
	}
}

// refusedForSecurity reports whether err is a registrar's Rejection Due to
// Security Considerations: the element is still another association's,
// or the registrar does not know all its addresses for this one yet.
func refusedForSecurity(err error) bool {
	var refused *OperationError
	return errors.As(err, &refused) && slices.Contains(refused.Causes, wire.CauseRejectedSecurity)
}

// usableAfterMove reports whether association a still has a path whose
// source address is one of local.
func usableAfterMove(a *stack.Association, local []netip.Addr) bool {
	for _, p := range a.Paths() {
		if !p.Local.IsValid() || slices.Contains(local, p.Local) {
			return true
		}
	}
	return false
}

// replace aborts the current association, if any, after storing it in
// from (if not nil), and sets up a new one with the first registrar that answers.
func (s *registrarSet) replace(ctx context.Context, from *atomic.Pointer[registrarConn], reason string) (*registrarConn, error) {
	s.mu.Lock()
	old := s.conn
	s.conn = nil
	s.mu.Unlock()
	if old != nil {
		if from != nil {
			from.Store(old)
		}
		old.abort(reason)
	}
	return s.get(ctx)
}

// ResolveFresh resolves a pool handle through the element's own
// association with its registrar, bypassing any cache, as User.ResolveFresh
// does. A mobile node that is a pool element resolves its peers this way:
// a second association from the same endpoint to the same registrar is
// not possible in SCTP (it would be taken for a restart of the first).
func (e *Element) ResolveFresh(ctx context.Context, handle wire.PoolHandle) ([]wire.PoolElement, error) {
	req := &wire.HandleResolution{Handle: handle}
	var b []byte
	_, err := e.regs.afterMove(ctx, &e.movedFrom, func(ctx context.Context, c *registrarConn) (err error) {
		b, err = c.request(ctx, req, wire.ASAPHandleResolutionResponse, handle)
		return err
	})
	if err != nil {
		return nil, err
	}
	return decodeResolution(handle, b)
}
