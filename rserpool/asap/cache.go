package asap

import (
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// DefaultCacheTTL is how long a pool user trusts a handle resolution:
// RSPLIB's ASAP_DEFAULT_CACHE_ELEMENT_TIMEOUT.
const DefaultCacheTTL = 5 * time.Second

// cache keeps handle resolution answers for a while, so that a failover or
// a new session does not wait for a registrar.
type cache struct {
	ttl   time.Duration // 0 or less: nothing is kept
	mu    sync.Mutex
	pools map[string]*cachedPool
}

type cachedPool struct {
	elements []wire.PoolElement
	expires  time.Time
	// next rotates the answers: the registrar's policy cannot be applied
	// without its state, so elements from the cache are handed out in
	// turn, to spread sessions over them.
	next int
}

func newCache(ttl time.Duration) *cache {
	return &cache{ttl: ttl, pools: make(map[string]*cachedPool)}
}

// get returns the cached elements of a pool, starting with the one after
// those the last get started with, or false if there are none that are
// fresh.
func (c *cache) get(handle wire.PoolHandle, now time.Time) ([]wire.PoolElement, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pools[string(handle)]
	if p == nil || !now.Before(p.expires) || len(p.elements) == 0 {
		delete(c.pools, string(handle))
		return nil, false
	}
	i := p.next % len(p.elements)
	p.next = i + 1
	return cloneElements(append(slices.Clone(p.elements[i:]), p.elements[:i]...)), true
}

// put stores the answer of a resolution; els must not be used elsewhere.
func (c *cache) put(handle wire.PoolHandle, els []wire.PoolElement, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// The caller uses the first element of this answer: the first cache
	// hit starts with the second.
	c.pools[string(handle)] = &cachedPool{elements: els, expires: now.Add(c.ttl), next: 1}
}

// remove forgets an element found unreachable.
func (c *cache) remove(handle wire.PoolHandle, id wire.PEID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.pools[string(handle)]; p != nil {
		p.elements = slices.DeleteFunc(p.elements, func(e wire.PoolElement) bool { return e.ID == id })
	}
}
