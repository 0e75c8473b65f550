package handlespace

import (
	"math/rand/v2"
	"strings"

	"github.com/mobisctp/mobisctp/internal/shrinkmap"
	"github.com/mobisctp/mobisctp/rserpool/policy"
)

// Options configure a Handlespace.
type Options struct {
	// Seed seeds the random source of the weighted policies, so that
	// selections are reproducible.
	Seed uint64
	// MaxIncrement is how many of the elements a resolution returns count
	// as used by the ordered policies; 0 means policy.DefaultMaxIncrement.
	MaxIncrement int
}

// Handlespace is a registrar's handlespace. The zero value is not usable;
// call New.
type Handlespace struct {
	pools        shrinkmap.Map[string, *Pool] // by handle, for lookups; shrinks after a flood
	ordered      btree[string, *Pool]         // by handle, for enumeration
	timers       timerHeap
	owners       map[uint32]ownership
	rng          *rand.Rand
	maxIncrement int
	len          int
}

// New returns an empty handlespace.
func New(opts Options) *Handlespace {
	return &Handlespace{
		ordered:      btree[string, *Pool]{cmp: strings.Compare},
		owners:       map[uint32]ownership{},
		rng:          newRand(opts.Seed),
		maxIncrement: opts.MaxIncrement,
	}
}

// newRand returns the random source of the weighted policies.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Len returns the number of pool elements.
func (h *Handlespace) Len() int { return h.len }

// Pool returns the pool with the given handle, or nil.
func (h *Handlespace) Pool(handle []byte) *Pool {
	p, _ := h.pools.Get(string(handle))
	return p
}

// PoolCount returns the number of pools.
func (h *Handlespace) PoolCount() int { return h.pools.Len() }

// Lookup returns element id of the pool with the given handle, or nil.
func (h *Handlespace) Lookup(handle []byte, id uint32) *PoolElement {
	if p := h.Pool(handle); p != nil {
		return p.Lookup(id)
	}
	return nil
}

// Select resolves a pool handle: it appends up to n elements chosen by the
// pool's policy to dst (nothing if the pool does not exist) and returns it.
// Stateful policies record the selection. With a dst of sufficient
// capacity, it does not allocate.
func (h *Handlespace) Select(handle []byte, n int, dst []*PoolElement) []*PoolElement {
	p := h.Pool(handle)
	if p == nil {
		return dst
	}
	return policy.Select(p.sel, (*selIndex)(p), h.rng, n, dst)
}
