package handlespace

import (
	"time"

	"github.com/mobisctp/mobisctp/rserpool/policy"
)

// Register adds the element r describes, or updates it if its pool already
// has an element with r.ID, and (re)arms its Expiry timer at
// now + r.Lifetime. It reports whether the element is new.
//
// It fails, changing nothing, with a *policy.UnknownPolicyError for a policy
// it does not implement, and with a *policy.InconsistentError if the pool
// exists and uses another policy (even if r.ID is its only element: a pool
// keeps its policy for as long as it exists).
func (h *Handlespace) Register(r Registration, now time.Time) (e *PoolElement, created bool, err error) {
	p := h.Pool(r.Handle)
	if p == nil {
		sel, err := policy.New(r.Policy.Type, h.maxIncrement)
		if err != nil {
			return nil, false, err
		}
		p = h.addPool(string(r.Handle), sel)
	} else if err := policy.CheckConsistent(p.Policy(), r.Policy); err != nil {
		return nil, false, err
	}
	if e = p.Lookup(r.ID); e == nil {
		e, created = h.add(p, &r, now), true
	} else {
		h.update(e, &r, now)
	}
	h.timers.set(e, Expiry, e.Expires())
	return e, created, nil
}

func (h *Handlespace) addPool(handle string, sel *policy.Selector) *Pool {
	p := newPool(handle, sel)
	h.pools.Set(handle, p)
	h.ordered.insert(handle, p, 0)
	return p
}

func (h *Handlespace) add(p *Pool, r *Registration, now time.Time) *PoolElement {
	e := &PoolElement{id: r.ID, registered: now, sum: elementSum(p.handle, r.ID)}
	e.set(r, now)
	p.join(e, r.Policy)
	h.own(e)
	h.len++
	return e
}

// update applies a re-registration. The element keeps its place in the
// selection order wherever the policy allows (see policy.Selector.Update).
func (h *Handlespace) update(e *PoolElement, r *Registration, now time.Time) {
	h.disown(e)
	e.set(r, now)
	h.own(e)
	e.pool.update(e, r.Policy)
}

// Deregister removes element id from the pool with the given handle, and
// the pool if it was its last element. It returns the element, or nil if
// there was none.
func (h *Handlespace) Deregister(handle []byte, id uint32) *PoolElement {
	e := h.Lookup(handle, id)
	if e != nil {
		h.Remove(e)
	}
	return e
}

// Remove removes e, as Deregister does. It reports false, doing nothing, if
// e was already removed.
func (h *Handlespace) Remove(e *PoolElement) bool {
	if e.gone {
		return false
	}
	p := e.pool
	p.leave(e)
	h.timers.stopAll(e)
	h.disown(e)
	e.gone = true
	h.len--
	if p.Len() == 0 {
		h.pools.Delete(p.handle)
		h.ordered.remove(p.handle)
	}
	return true
}
