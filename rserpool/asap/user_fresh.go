package asap

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// ResolveFresh asks a registrar for elements of the pool, bypassing the
// cache, and caches the answer. A mobile node uses it to find a peer that
// has just moved: a cached answer would name the addresses it left.
// Unlike Resolve, it expects that the user may have moved too: it waits
// only briefly for an answer over its association with the registrar,
// and not at all if that association has no path from the endpoint's
// addresses left, before it sets up a new one (as Element.Reregister
// does). The error matches ErrNoElement when the pool is empty or
// unknown.
//
// The answer is a hint, not a proof: anyone who can register under the
// handle can put addresses in it. Use an address only after an
// authenticated exchange with it.
func (u *User) ResolveFresh(ctx context.Context, handle wire.PoolHandle) ([]wire.PoolElement, error) {
	if u.ctx.Err() != nil {
		return nil, ErrClosed
	}
	req := &wire.HandleResolution{Handle: handle, Items: u.cfg.Items}
	var b []byte
	_, err := u.regs.afterMove(ctx, nil, func(ctx context.Context, c *registrarConn) (err error) {
		b, err = c.request(ctx, req, wire.ASAPHandleResolutionResponse, handle)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u.answer(handle, b)
}

// answer decodes the answer b to a resolution of handle, and caches it.
func (u *User) answer(handle wire.PoolHandle, b []byte) ([]wire.PoolElement, error) {
	els, err := decodeResolution(handle, b)
	if err != nil {
		return nil, err
	}
	u.cache.put(bytes.Clone(handle), cloneElements(els), time.Now())
	return els, nil
}

// decodeResolution decodes the answer b to a resolution of handle.
func decodeResolution(handle wire.PoolHandle, b []byte) ([]wire.PoolElement, error) {
	var r wire.HandleResolutionResponse
	if err := decodeAnswer(b, wire.ASAPHandleResolution, &r); err != nil {
		return nil, err
	}
	if len(r.Error.Causes) > 0 {
		return nil, fmt.Errorf("%w in pool %q: %w", ErrNoElement, handle, operationError(wire.ASAPHandleResolution, r.Error))
	}
	if len(r.Elements) == 0 {
		return nil, fmt.Errorf("%w in pool %q", ErrNoElement, handle)
	}
	return cloneElements(r.Elements), nil
}
