package registrar

import (
	"cmp"
	"slices"
	"time"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Table is a registrar's handlespace: its pools in handle order, each with
// its elements in identifier order.
type Table struct {
	Server wire.ServerID // the registrar
	Pools  []Pool
}

// Pool is one pool of a Table.
type Pool struct {
	Handle   string
	Policy   wire.PolicyType
	Elements []Element
}

// Element is one pool element of a Table: the Pool Element parameter as
// registrars exchange it, with the home registrar (the owner) in
// HomeServer, the registration life in RegLife and, for elements the
// registrar is home for, the element's ASAP association in ASAPTransport.
type Element struct {
	wire.PoolElement
	// Only known in process (Registrar.Table), zero in a table fetched
	// over ENRP: when the element first registered, when its
	// registration life ends, and how many Endpoint Unreachable reports
	// it has collected.
	Registered, Expires time.Time
	Reports             int
}

// Elements returns the number of elements in the table.
func (t *Table) Elements() int {
	n := 0
	for _, p := range t.Pools {
		n += len(p.Elements)
	}
	return n
}

// OwnerSum is the RFC 5353 PE checksum over the elements of one home
// registrar in a Table: what that registrar's Presences carry, so equal
// sums on two registrars mean they agree on its elements.
type OwnerSum struct {
	Server   wire.ServerID
	Elements int
	Checksum uint16
}

// Checksums returns the PE checksum of each home registrar's elements in
// the table, by server identifier.
func (t *Table) Checksums() []OwnerSum {
	sums := map[wire.ServerID]*handlespace.Sum{}
	counts := map[wire.ServerID]int{}
	for _, p := range t.Pools {
		for _, e := range p.Elements {
			s := sums[e.HomeServer]
			if s == nil {
				s = new(handlespace.Sum)
				sums[e.HomeServer] = s
			}
			s.Add(p.Handle, uint32(e.ID))
			counts[e.HomeServer]++
		}
	}
	out := make([]OwnerSum, 0, len(sums))
	for id, s := range sums {
		out = append(out, OwnerSum{Server: id, Elements: counts[id], Checksum: s.Checksum()})
	}
	slices.SortFunc(out, func(a, b OwnerSum) int { return cmp.Compare(a.Server, b.Server) })
	return out
}

// table returns a copy of the handlespace.
func (c *core) table() Table {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := Table{Server: c.cfg.ServerID}
	for p := range c.hs.Pools() {
		pool := Pool{Handle: p.Handle(), Policy: p.Policy()}
		for e := range p.All() {
			pool.Elements = append(pool.Elements, c.element(e))
		}
		t.Pools = append(t.Pools, pool)
	}
	return t
}

// tableCursor is where an ENRP handle table transfer stands. RFC 5353 sends
// a large table in parts: a response with the M (more to send) flag asks
// the requester for another Handle Table Request, which continues where
// the last response ended.
type tableCursor struct {
	next    enrpsm.Cursor
	ownOnly bool // the transfer's W flag: only elements this registrar owns
	active  bool // the last response had the M flag
}

// handleTable answers an ENRP Handle Table Request with the next part of
// the handle table: at most MaxTableEntries elements, and no more than
// fit in one message (see enrp.HandlespaceTable.Fill).
func (c *core) handleTable(s *session, req *wire.HandleTableRequest) {
	c.stats.TableRequests++
	cur := &s.table
	if !cur.active {
		*cur = tableCursor{ownOnly: req.OwnChildrenOnly}
	}
	owner := wire.ServerID(0)
	if cur.ownOnly {
		owner = c.cfg.ServerID
	}
	resp := wire.HandleTableResponse{ENRPHeader: wire.ENRPHeader{Sender: c.cfg.ServerID, Receiver: req.Sender}}
	cur.next, resp.MoreToSend = c.enrpTable().Fill(&resp, cur.next, owner)
	cur.active = resp.MoreToSend
	c.log.Debugf("handle table for %v (server $%08x): %d pools, more %v", s.from, uint32(req.Sender), len(resp.Entries), cur.active)
	s.out.buf = wire.AppendENRP(s.out.buf, &resp)
	s.out.mark(wire.PPIDENRP)
}

// tableElement returns e as ENRP shows it, with its ASAP transport if this
// registrar is its home.
func (c *core) tableElement(e *handlespace.PoolElement) wire.PoolElement {
	pe := wireElement(e)
	if m := c.member(e); m != nil {
		pe.ASAPTransport = m.sess.asap
	}
	return pe
}
