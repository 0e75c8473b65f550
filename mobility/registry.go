package mobility

import (
	"context"

	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// asapRegistry is the Registry of a node: its pool element, or, for a
// node without a handle, its pool user. An element resolves through its
// own association with its registrar: SCTP allows only one association
// between the node's endpoint and the registrar's.
type asapRegistry struct {
	el   *asap.Element // nil for a pool user
	user *asap.User    // nil for a pool element
}

func (r asapRegistry) Reregister(ctx context.Context) error {
	if r.el == nil {
		return nil
	}
	return r.el.Reregister(ctx)
}

func (r asapRegistry) Resolve(ctx context.Context, peer wire.PoolHandle) ([]wire.PoolElement, error) {
	if r.el != nil {
		return r.el.ResolveFresh(ctx, peer)
	}
	return r.user.ResolveFresh(ctx, peer)
}
