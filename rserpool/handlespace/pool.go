package handlespace

import (
	"cmp"
	"iter"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Pool is the set of elements registered under one pool handle. It exists
// while it has elements.
type Pool struct {
	handle string
	sel    *policy.Selector
	byID   btree[uint32, *PoolElement]
	bySel  btree[policy.Key, *PoolElement] // the policy's order, with weights
}

func newPool(handle string, sel *policy.Selector) *Pool {
	return &Pool{
		handle: handle,
		sel:    sel,
		byID:   btree[uint32, *PoolElement]{cmp: cmp.Compare[uint32]},
		bySel:  btree[policy.Key, *PoolElement]{cmp: policy.Key.Compare},
	}
}

// Handle returns the pool handle.
func (p *Pool) Handle() string { return p.handle }

// Policy returns the pool's selection policy.
func (p *Pool) Policy() wire.PolicyType { return p.sel.Type() }

// Len returns the number of elements.
func (p *Pool) Len() int { return p.byID.len }

// Lookup returns the element with identifier id, or nil.
func (p *Pool) Lookup(id uint32) *PoolElement {
	e, _ := p.byID.find(id)
	return e
}

// All yields every element in identifier order.
func (p *Pool) All() iter.Seq[*PoolElement] {
	return func(yield func(*PoolElement) bool) { p.byID.ascend(nil, yield) }
}

// join adds a new element registered with policy pol.
func (p *Pool) join(e *PoolElement, pol wire.Policy) {
	e.pool = p
	p.sel.Join(&e.state, e.id, pol)
	p.byID.insert(e.id, e, 0)
	p.file(e)
}

// update re-registers e with policy pol.
func (p *Pool) update(e *PoolElement, pol wire.Policy) {
	p.bySel.remove(e.selKey)
	p.sel.Update(&e.state, pol)
	p.file(e)
}

// leave takes e out of both indexes.
func (p *Pool) leave(e *PoolElement) {
	p.byID.remove(e.id)
	p.bySel.remove(e.selKey)
}

// file inserts e into the selection index under its current key and weight.
func (p *Pool) file(e *PoolElement) {
	e.selKey = p.sel.Key(&e.state)
	p.bySel.insert(e.selKey, e, p.sel.Weight(&e.state))
}

// selIndex is the policy.Index view of a pool's selection tree.
type selIndex Pool

func (x *selIndex) State(e *PoolElement) *policy.State { return &e.state }

func (x *selIndex) AppendFirst(dst []*PoolElement, n int) []*PoolElement {
	return x.bySel.appendFirst(dst, n)
}

func (x *selIndex) Rekey(e *PoolElement, k policy.Key) {
	w := x.bySel.remove(e.selKey)
	e.selKey = k
	x.bySel.insert(k, e, w)
}

func (x *selIndex) TotalWeight() uint64 { return x.bySel.totalWeight() }

func (x *selIndex) Pick(v uint64) (e *PoolElement, start, weight uint64) {
	return x.bySel.pick(v)
}
