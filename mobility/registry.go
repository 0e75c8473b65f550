package mobility

import (
	"context"
	"net/netip"

	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// asapRegistry is the Registry of a node: its pool element (nil for a
// node that is only a pool user) and its pool user.
type asapRegistry struct {
	el   *asap.Element
	user *asap.User
}

func (r asapRegistry) Reregister(ctx context.Context) error {
	if r.el == nil {
		return nil
	}
	return r.el.Reregister(ctx)
}

func (r asapRegistry) Resolve(ctx context.Context, peer wire.PoolHandle) ([]netip.Addr, error) {
	els, err := r.user.ResolveFresh(ctx, peer)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, e := range els {
		out = append(out, e.UserTransport.Addrs...)
	}
	return out, nil
}
