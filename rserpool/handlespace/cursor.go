package handlespace

import "iter"

// Cursor is a place in the handle table, in pool handle then PE identifier
// order, from which an enumeration resumes. The zero Cursor is the start.
// ENRP sends the table in chunks (RFC 5353 section 2.3): the registrar keeps
// the Cursor after the last element of one chunk and the next chunk starts
// there, whatever was registered or removed in between.
type Cursor struct {
	handle string
	id     uint32
	valid  bool
}

// After returns the cursor just past element id of the pool with the given
// handle (the element need not exist).
func After(handle []byte, id uint32) Cursor {
	return Cursor{handle: string(handle), id: id, valid: true}
}

// After returns the cursor just past e.
func (e *PoolElement) After() Cursor { return Cursor{handle: e.pool.handle, id: e.id, valid: true} }

// Elements yields the elements past c, in handle then identifier order. The
// handlespace must not change during the loop.
func (h *Handlespace) Elements(c Cursor) iter.Seq[*PoolElement] {
	return func(yield func(*PoolElement) bool) {
		if !c.valid {
			h.ordered.ascend(nil, func(p *Pool) bool { return p.byID.ascend(nil, yield) })
			return
		}
		if p, _ := h.pools.Get(c.handle); p != nil && !p.byID.ascend(&c.id, yield) {
			return
		}
		h.ordered.ascend(&c.handle, func(p *Pool) bool { return p.byID.ascend(nil, yield) })
	}
}

// Pools yields the pools in handle order. The handlespace must not change
// during the loop.
func (h *Handlespace) Pools() iter.Seq[*Pool] {
	return func(yield func(*Pool) bool) { h.ordered.ascend(nil, yield) }
}
