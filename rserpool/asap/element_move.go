package asap

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// moveTimeout bounds the attempt to re-register over the association the
// element had before it moved. It is short: after a move that association
// often has no usable path left, and a new one is only two round trips
// away.
const moveTimeout = 500 * time.Millisecond

// Reregister registers the element again at once, with the endpoint's
// current addresses, instead of waiting for the next renewal: the
// element has moved, and pool users must find it at its new addresses.
// The identifier stays the same, so the registrar replaces the element's
// transport addresses; a resolution right after the answer shows only the
// new ones.
//
// The association with the registrar has to survive the move too. If it
// still has a path from an address the endpoint holds, Reregister tries
// it first (briefly); when that fails, or the registrar refuses addresses
// the association does not know yet, it replaces the association with a
// new one, to whichever registrar of the list answers first. The run loop
// carries on with the new association (registering over it once more, as
// with any new registrar) without reporting the old one as lost.
//
// It posts ElementReregistered on success, with the registrar.
func (e *Element) Reregister(ctx context.Context) error {
	if c, err := e.regs.get(ctx); err == nil && usableAfterMove(c.a, e.ep.LocalAddrs()) {
		rctx, cancel := context.WithTimeout(ctx, min(moveTimeout, e.cfg.RequestTimeout))
		err = e.register(rctx, c)
		cancel()
		if err == nil {
			e.post(ElementReregistered, c, nil)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	c, err := e.regs.replace(ctx, &e.movedFrom, "element moved")
	if err != nil {
		return fmt.Errorf("asap: re-registration after a move: %w", err)
	}
	if err := e.register(ctx, c); err != nil {
		return fmt.Errorf("asap: re-registration after a move at %v: %w", remoteString(c.remote), err)
	}
	e.post(ElementReregistered, c, nil)
	return nil
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
// from, and sets up a new one with the first registrar that answers.
func (s *registrarSet) replace(ctx context.Context, from *atomic.Pointer[registrarConn], reason string) (*registrarConn, error) {
	s.mu.Lock()
	old := s.conn
	s.conn = nil
	s.mu.Unlock()
	if old != nil {
		from.Store(old)
		old.abort(reason)
	}
	return s.get(ctx)
}
