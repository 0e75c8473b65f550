package asap

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
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
	c, err := e.regs.afterMove(ctx, &e.movedFrom, e.register)
	if err != nil {
		return fmt.Errorf("asap: re-registration after a move: %w", err)
	}
	e.post(ElementReregistered, c, nil)
	return nil
}

// afterMove runs try over the current association with a registrar if it
// still has a path from the endpoint's addresses, waiting moveTimeout at
// most; when that fails, it replaces the association (storing the old one
// in from, if not nil) with a new one, to whichever registrar answers
// first, and runs try over that.
func (s *registrarSet) afterMove(ctx context.Context, from *atomic.Pointer[registrarConn],
	try func(context.Context, *registrarConn) error) (*registrarConn, error) {
	if c, err := s.get(ctx); err == nil && usableAfterMove(c.a, s.ep.LocalAddrs()) {
		rctx, cancel := context.WithTimeout(ctx, min(moveTimeout, s.timeout))
		err = try(rctx, c)
		cancel()
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	c, err := s.replace(ctx, from, "endpoint moved")
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := try(rctx, c); err != nil {
		return nil, fmt.Errorf("registrar %v: %w", remoteString(c.remote), err)
	}
	return c, nil
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
