package asap

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// UserConfig configures a pool user. Zero fields take their defaults.
type UserConfig struct {
	// Registrars lists the registrars to ask, in order of preference.
	// Those Announces has heard of come after them. One of the two is
	// required.
	Registrars []stack.Remote
	// Announces, if set, adds the registrars heard in Server Announces.
	// The user does not close it.
	Announces *Announces
	// CacheTTL is how long a handle resolution is used before the
	// registrar is asked again (DefaultCacheTTL); negative: never cache.
	CacheTTL time.Duration
	// Items is the Handle Resolution Option (how many elements to ask
	// for); 0 leaves the option out and the registrar decides.
	Items wire.ResolutionItems
	// RequestTimeout bounds each association setup with a registrar and
	// each answer (3 s).
	RequestTimeout time.Duration
	// KeyID, if not 0, is the Shared Key Identifier of a key the
	// endpoint holds, signs with and shares with its registrars (a user
	// key of theirs, registrar.Config.UserKeys): the user then takes only
	// answers authenticated with it (ErrRegistrarNotProven otherwise), as
	// a keyed element does (ElementConfig.KeyID). The endpoint must ask
	// its peers to authenticate DATA (stack.Config.AuthChunks).
	KeyID uint16
}

// User is a pool user: it resolves pool handles, reports unreachable
// elements and opens sessions. Its methods are safe for concurrent use.
type User struct {
	ep    *stack.Endpoint
	cfg   UserConfig
	regs  *registrarSet
	cache *cache

	ctx     context.Context // ends at Close: bounds sessions and background reports
	cancel  context.CancelFunc
	mu      sync.Mutex // orders reports with Close: none starts after Close
	closed  bool
	reports sync.WaitGroup
}

// NewUser returns a pool user that talks to registrars and elements from
// ep. The caller closes ep after Close.
func NewUser(ep *stack.Endpoint, cfg UserConfig) (*User, error) {
	if len(cfg.Registrars) == 0 && cfg.Announces == nil {
		return nil, errors.New("asap: UserConfig.Registrars is empty and there are no Announces: one is needed to find a registrar")
	}
	if err := checkKeyed("UserConfig", cfg.KeyID, ep); err != nil {
		return nil, err
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	u := &User{
		ep: ep, cfg: cfg, ctx: ctx, cancel: cancel,
		regs:  newRegistrarSet(ep, cfg.Registrars, cfg.Announces, cfg.RequestTimeout, nil),
		cache: newCache(cfg.CacheTTL),
	}
	u.regs.key = cfg.KeyID
	return u, nil
}

// Resolve returns elements of the pool: from the cache if it holds a fresh
// answer, else from a registrar. The error matches ErrNoElement when the
// pool is empty or unknown.
func (u *User) Resolve(ctx context.Context, handle wire.PoolHandle) ([]wire.PoolElement, error) {
	if u.ctx.Err() != nil {
		return nil, ErrClosed
	}
	if els, ok := u.cache.get(handle, time.Now()); ok {
		return els, nil
	}
	req := &wire.HandleResolution{Handle: handle, Items: u.cfg.Items}
	b, err := u.regs.do(ctx, req, wire.ASAPHandleResolutionResponse, handle)
	if err != nil {
		return nil, err
	}
	return u.answer(handle, b)
}

// ReportUnreachable tells a registrar that element id of the pool could
// not be reached (Endpoint Unreachable), and drops it from the cache.
func (u *User) ReportUnreachable(ctx context.Context, handle wire.PoolHandle, id wire.PEID) error {
	u.cache.remove(handle, id)
	return u.regs.send(ctx, &wire.EndpointUnreachable{Handle: handle, PEID: id})
}

// reportInBackground drops the element from the cache at once and reports
// it without making the caller (a failover) wait for a registrar.
func (u *User) reportInBackground(handle wire.PoolHandle, id wire.PEID) {
	u.cache.remove(handle, id)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	u.reports.Add(1)
	go func() {
		defer u.reports.Done()
		ctx, cancel := context.WithTimeout(u.ctx, u.cfg.RequestTimeout)
		defer cancel()
		u.ReportUnreachable(ctx, handle, id)
	}()
}

// Close closes the association with the registrar. Close the user's
// sessions first: Close only stops their failovers.
func (u *User) Close() error {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.cancel()
	u.reports.Wait()
	u.regs.close()
	return nil
}
