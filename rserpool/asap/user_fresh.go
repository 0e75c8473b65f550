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
// has just moved: a cached answer would name the addresses it left. The
// error matches ErrNoElement when the pool is empty or unknown.
//
// The answer is a hint, not a proof: anyone who can register under the
// handle can put addresses in it. Use an address only after an
// authenticated exchange with it.
func (u *User) ResolveFresh(ctx context.Context, handle wire.PoolHandle) ([]wire.PoolElement, error) {
	if u.ctx.Err() != nil {
		return nil, ErrClosed
	}
	req := &wire.HandleResolution{Handle: handle, Items: u.cfg.Items}
	b, err := u.regs.do(ctx, req, wire.ASAPHandleResolutionResponse, handle)
	if err != nil {
		return nil, err
	}
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
	els := cloneElements(r.Elements)
	u.cache.put(bytes.Clone(handle), cloneElements(els), time.Now())
	return els, nil
}
