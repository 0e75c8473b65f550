package policy_test

import (
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

func TestRoundRobinSequence(t *testing.T) {
	rr := wire.Policy{Type: wire.PolicyRoundRobin}
	cases := []struct {
		name         string
		maxIncrement int
		want         [][]uint32
	}{
		// RSPLIB's default: the position advances by one per resolution.
		{"advance one", 0, [][]uint32{{1, 2, 3}, {2, 3, 4}, {3, 4, 1}, {4, 1, 2}, {1, 2, 3}}},
		// Counting all three as used walks the ring three at a time.
		{"advance all", 3, [][]uint32{{1, 2, 3}, {4, 1, 2}, {3, 4, 1}, {2, 3, 4}, {1, 2, 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPool(t, wire.PolicyRoundRobin, c.maxIncrement)
			for id := uint32(1); id <= 4; id++ {
				p.Add(id, rr)
			}
			if got := resolutions(p, fixedRand(), 3, len(c.want)); !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRoundRobinJoinUpdateLeave(t *testing.T) {
	rr := wire.Policy{Type: wire.PolicyRoundRobin}
	p := newPool(t, wire.PolicyRoundRobin, 0)
	p.Add(1, rr)
	p.Add(2, rr)
	p.Add(3, rr)
	rng := fixedRand()
	got := firsts(p, rng, 2) // 1, 2: the queue is now 3 1 2
	p.Add(4, rr)             // joins at the back of the queue: 3 1 2 4
	p.Update(3, rr)          // re-registering does not cost 3 its turn
	got = append(got, firsts(p, rng, 3)...)
	p.Remove(1) // the queue was 4 3 1 2
	got = append(got, firsts(p, rng, 3)...)
	want := []uint32{1, 2, 3, 1, 2, 4, 3, 2}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWeightedRoundRobinSequence(t *testing.T) {
	p := newPool(t, wire.PolicyWeightedRoundRobin, 0)
	for _, e := range []struct{ id, weight uint32 }{{1, 3}, {2, 1}, {3, 2}} {
		p.Add(e.id, wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: e.weight})
	}
	// Each round serves 1 three times, 2 once and 3 twice, interleaved, and
	// the rotation carries over from one round into the next.
	want := []uint32{
		1, 2, 3, 1, 3, 1, // round 0
		2, 3, 1, 3, 1, 1, // round 1
		2, 3, 1, 3, 1, 1, // round 2
	}
	if got := firsts(p, fixedRand(), len(want)); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWeightedRoundRobinJoinsCurrentRound(t *testing.T) {
	wrr := func(w uint32) wire.Policy { return wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: w} }
	p := newPool(t, wire.PolicyWeightedRoundRobin, 0)
	p.Add(1, wrr(2))
	p.Add(2, wrr(2))
	rng := fixedRand()
	got := firsts(p, rng, 5) // round 0: 1 2 1 2, round 1: 1
	// 3 joins round 1, the one being served, with its full two credits and
	// behind 2 and 1: it neither waits for round 2 nor jumps the queue.
	// Weight 0 (element 4) is only handed out when nothing else is left.
	p.Add(3, wrr(2))
	p.Add(4, wrr(0))
	got = append(got, firsts(p, rng, 7)...)
	want := []uint32{1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 2}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if all := p.Select(rng, 4); !slices.Contains(all, 4) || all[3] != 4 {
		t.Errorf("asking for every element returned %v, want weight 0 last", all)
	}
}

func TestPrioritySequence(t *testing.T) {
	p := newPool(t, wire.PolicyPriority, 0)
	for _, e := range []struct{ id, prio uint32 }{{1, 5}, {2, 9}, {3, 9}, {4, 1}} {
		p.Add(e.id, wire.Policy{Type: wire.PolicyPriority, Priority: e.prio})
	}
	// The two elements of priority 9 take turns in front; 5 and 1 follow.
	want := [][]uint32{{2, 3, 1, 4}, {3, 2, 1, 4}, {2, 3, 1, 4}}
	if got := resolutions(p, fixedRand(), 4, 3); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Raising a priority above the others puts the element in front at once.
	p.Update(4, wire.Policy{Type: wire.PolicyPriority, Priority: 10})
	if got := p.Select(fixedRand(), 2); !slices.Equal(got, []uint32{4, 3}) {
		t.Errorf("after raising 4: got %v, want [4 3]", got)
	}
}

func TestSelectCounts(t *testing.T) {
	for _, typ := range []wire.PolicyType{wire.PolicyRoundRobin, wire.PolicyRandom} {
		p := newPool(t, typ, 0)
		if got := p.Select(fixedRand(), 3); len(got) != 0 {
			t.Errorf("%v: empty pool returned %v", typ, got)
		}
		p.Add(7, wire.Policy{Type: typ})
		p.Add(8, wire.Policy{Type: typ})
		if got := p.Select(fixedRand(), 0); len(got) != 0 {
			t.Errorf("%v: n=0 returned %v", typ, got)
		}
		got := p.Select(fixedRand(), 5)
		slices.Sort(got)
		if !slices.Equal(got, []uint32{7, 8}) {
			t.Errorf("%v: n beyond the pool returned %v, want both elements once", typ, got)
		}
	}
}
