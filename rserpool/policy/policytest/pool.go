// Package policytest provides a reference pool for testing code built on
// package policy: the elements live in a slice that is re-sorted after every
// change and searched linearly, so it is slow but obviously right. Tests of
// the policies use it as their Index, and the handlespace's model-based
// tests use it as the model its trees are checked against.
package policytest

import (
	"math/rand/v2"
	"slices"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Pool is a pool of elements known by their PE identifiers.
type Pool struct {
	sel     *policy.Selector
	members []*member // sorted by key
}

type member struct {
	id     uint32
	st     policy.State
	key    policy.Key
	weight uint64
}

// NewPool returns an empty pool using policy t; maxIncrement is passed to
// policy.New.
func NewPool(t wire.PolicyType, maxIncrement int) (*Pool, error) {
	sel, err := policy.New(t, maxIncrement)
	if err != nil {
		return nil, err
	}
	return &Pool{sel: sel}, nil
}

// Selector returns the pool's selector.
func (p *Pool) Selector() *policy.Selector { return p.sel }

// Len returns the number of elements.
func (p *Pool) Len() int { return len(p.members) }

// Add joins a new element. It does not check for duplicates.
func (p *Pool) Add(id uint32, pol wire.Policy) {
	m := &member{id: id}
	p.sel.Join(&m.st, id, pol)
	p.members = append(p.members, m)
	p.refile(m)
}

// Update re-registers element id with pol. It reports whether id exists.
func (p *Pool) Update(id uint32, pol wire.Policy) bool {
	m := p.find(id)
	if m == nil {
		return false
	}
	p.sel.Update(&m.st, pol)
	p.refile(m)
	return true
}

// Remove deletes element id. It reports whether id existed.
func (p *Pool) Remove(id uint32) bool {
	i := slices.IndexFunc(p.members, func(m *member) bool { return m.id == id })
	if i < 0 {
		return false
	}
	p.members = slices.Delete(p.members, i, i+1)
	return true
}

// State returns element id's selection state, or nil.
func (p *Pool) State(id uint32) *policy.State {
	if m := p.find(id); m != nil {
		return &m.st
	}
	return nil
}

// Select runs policy.Select on the pool and returns the identifiers chosen.
func (p *Pool) Select(rng *rand.Rand, n int) []uint32 {
	var ids []uint32
	for _, m := range policy.Select(p.sel, (*index)(p), rng, n, nil) {
		ids = append(ids, m.id)
	}
	return ids
}

func (p *Pool) find(id uint32) *member {
	for _, m := range p.members {
		if m.id == id {
			return m
		}
	}
	return nil
}

// refile recomputes m's key and weight and restores the order.
func (p *Pool) refile(m *member) {
	m.key, m.weight = p.sel.Key(&m.st), p.sel.Weight(&m.st)
	p.sort()
}

func (p *Pool) sort() {
	slices.SortFunc(p.members, func(a, b *member) int { return a.key.Compare(b.key) })
}

// index is the policy.Index view of a Pool.
type index Pool

func (x *index) State(m *member) *policy.State { return &m.st }

func (x *index) AppendFirst(dst []*member, n int) []*member {
	return append(dst, x.members[:min(n, len(x.members))]...)
}

func (x *index) Rekey(m *member, k policy.Key) {
	m.key = k
	(*Pool)(x).sort()
}

func (x *index) TotalWeight() uint64 {
	var sum uint64
	for _, m := range x.members {
		sum += m.weight
	}
	return sum
}

func (x *index) Pick(v uint64) (m *member, start, weight uint64) {
	for _, m := range x.members {
		if v < start+m.weight {
			return m, start, m.weight
		}
		start += m.weight
	}
	panic("policytest: Pick beyond the total weight")
}
