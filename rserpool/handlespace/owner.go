package handlespace

// OwnedBy returns the elements owner owns, in handle then identifier
// order. It walks the whole handlespace (O(n)): it serves the rare ENRP
// procedures that move or purge one registrar's part (takeover, audit).
func (h *Handlespace) OwnedBy(owner uint32) []*PoolElement {
	var out []*PoolElement
	if h.owners[owner].count == 0 {
		return nil
	}
	for e := range h.Elements(Cursor{}) {
		if e.owner == owner {
			out = append(out, e)
		}
	}
	return out
}
