package enrp

import (
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// maxMessage is the largest ENRP message: its length field has 16 bits.
const maxMessage = 65535

// DefaultMaxEntries is how many elements one Handle Table Response
// carries (RSPLIB's default).
const DefaultMaxEntries = 128

// HandlespaceTable is the Table of a handlespace.Handlespace.
type HandlespaceTable struct {
	HS *handlespace.Handlespace
	// MaxEntries is how many elements one response carries (0:
	// DefaultMaxEntries).
	MaxEntries int
	// Element returns an element as ENRP sends it.
	Element func(*handlespace.PoolElement) wire.PoolElement
}

// Checksum implements Table.
func (t HandlespaceTable) Checksum(owner wire.ServerID) uint16 { return t.HS.Checksum(uint32(owner)) }

// Owned implements Table.
func (t HandlespaceTable) Owned(owner wire.ServerID) int { return t.HS.Owned(uint32(owner)) }

// Owner implements Table.
func (t HandlespaceTable) Owner(k Key) (wire.ServerID, bool) {
	if e := t.HS.Lookup([]byte(k.Handle), uint32(k.ID)); e != nil {
		return wire.ServerID(e.Owner()), true
	}
	return 0, false
}

// Fill implements Table: at most MaxEntries elements, and no more than
// fit in one message. An element too large for any message is left out
// rather than stall the transfer.
func (t HandlespaceTable) Fill(resp *wire.HandleTableResponse, cur Cursor, owner wire.ServerID) (Cursor, bool) {
	maxEntries := t.MaxEntries
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	from := handlespace.Cursor{}
	if cur.Valid {
		from = handlespace.After([]byte(cur.Handle), cur.ID)
	}
	limit := maxMessage - wire.ENRPLen(resp)
	room, n := limit, 0
	for e := range t.HS.Elements(from) {
		if owner != 0 && e.Owner() != uint32(owner) {
			continue
		}
		pe := t.Element(e)
		size := wire.ParamLen(&pe)
		last := len(resp.Entries) - 1
		newPool := last < 0 || string(resp.Entries[last].Handle) != e.Handle()
		if newPool {
			size += wire.ParamLen(wire.PoolHandle(e.Handle()))
		}
		if size <= limit && (n == maxEntries || size > room) {
			return cur, true
		}
		if size <= limit {
			if newPool {
				resp.Entries = append(resp.Entries, wire.PoolEntry{Handle: wire.PoolHandle(e.Handle())})
			}
			en := &resp.Entries[len(resp.Entries)-1]
			en.Elements = append(en.Elements, pe)
			room -= size
			n++
		}
		cur = Cursor{Handle: e.Handle(), ID: e.ID(), Valid: true}
	}
	return cur, false
}

// Registration returns the handlespace registration an AddElement action
// makes: the element with its owner as owner and home.
func Registration(a *Action) handlespace.Registration {
	return handlespace.Registration{
		Handle:    a.Handle,
		ID:        uint32(a.Element.ID),
		Home:      uint32(a.Owner),
		Owner:     uint32(a.Owner),
		Lifetime:  time.Duration(a.Element.RegLife) * time.Millisecond,
		Transport: wire.AppendParam(nil, &a.Element.UserTransport),
		Policy:    a.Element.Policy,
	}
}

// Moved returns the registration that makes owner the owner and home of
// e, otherwise unchanged (a takeover).
func Moved(e *handlespace.PoolElement, owner wire.ServerID) handlespace.Registration {
	return handlespace.Registration{
		Handle:    []byte(e.Handle()),
		ID:        e.ID(),
		Home:      uint32(owner),
		Owner:     uint32(owner),
		Lifetime:  e.Lifetime(),
		Transport: e.Transport(),
		Policy:    e.Policy(),
	}
}

// Stale returns the elements of owner that keep does not hold: what a
// Purge removes.
func Stale(hs *handlespace.Handlespace, owner wire.ServerID, keep map[Key]struct{}) []*handlespace.PoolElement {
	var out []*handlespace.PoolElement
	for _, e := range hs.OwnedBy(uint32(owner)) {
		if _, ok := keep[Key{e.Handle(), wire.PEID(e.ID())}]; !ok {
			out = append(out, e)
		}
	}
	return out
}
