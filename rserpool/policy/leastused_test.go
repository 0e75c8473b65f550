package policy_test

import (
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

func TestLeastUsedOrder(t *testing.T) {
	lu := func(load float64) wire.Policy { return wire.Policy{Type: wire.PolicyLeastUsed, Load: percent(load)} }
	p := newPool(t, wire.PolicyLeastUsed, 0)
	p.Add(1, lu(50))
	p.Add(2, lu(10))
	p.Add(3, lu(30))
	p.Add(4, lu(10))
	// Ascending load; the two at 10% take turns in front.
	want := [][]uint32{{2, 4, 3, 1}, {4, 2, 3, 1}, {2, 4, 3, 1}}
	if got := resolutions(p, fixedRand(), 4, 3); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	p.Update(1, lu(0)) // a fresh, lower load moves the element to the front
	if got := p.Select(fixedRand(), 2); !slices.Equal(got, []uint32{1, 4}) {
		t.Errorf("after the update: got %v, want [1 4]", got)
	}
}

func TestLeastUsedDegradation(t *testing.T) {
	lud := func(load, deg float64) wire.Policy {
		return wire.Policy{Type: wire.PolicyLeastUsedDegradation, Load: percent(load), LoadDegradation: percent(deg)}
	}
	p := newPool(t, wire.PolicyLeastUsedDegradation, 0)
	p.Add(1, lud(10, 4))
	p.Add(2, lud(20, 5))
	// 1 is picked at 10%, 14%, 18%; at 22% it is behind 2 (20%), which is
	// picked and degrades to 25%; 1 (22%) is picked again, then is at 26%.
	want := []uint32{1, 1, 1, 2, 1, 2}
	if got := firsts(p, fixedRand(), len(want)); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := p.State(1).Degradation(), 4*uint64(percent(4)); got != want {
		t.Errorf("degradation of 1 = %d, want 4 × 4%% = %d", got, want)
	}
	// Only the first element of a resolution counts as used by default:
	// [1 2] degrades 1 (26%) but not 2 (30%).
	if got := p.Select(fixedRand(), 2); !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("got %v, want [1 2]", got)
	}
	if got, want := p.State(2).Degradation(), 2*uint64(percent(5)); got != want {
		t.Errorf("second element of a resolution was degraded: %d, want %d", got, want)
	}
	// An update reports a fresh load, so the degradation starts over.
	p.Update(1, lud(10, 4))
	if got := p.State(1).Degradation(); got != 0 {
		t.Errorf("degradation after update = %d, want 0", got)
	}
	if got := p.Select(fixedRand(), 1); !slices.Equal(got, []uint32{1}) {
		t.Errorf("after the update: got %v, want [1]", got)
	}
}

func TestPriorityLeastUsed(t *testing.T) {
	plu := func(load, deg float64) wire.Policy {
		return wire.Policy{Type: wire.PolicyPriorityLeastUsed, Load: percent(load), LoadDegradation: percent(deg)}
	}
	p := newPool(t, wire.PolicyPriorityLeastUsed, 0)
	p.Add(1, plu(10, 20)) // 30% after one more request
	p.Add(2, plu(25, 0))  // 25%
	p.Add(3, plu(20, 2))  // 22%
	// Nothing accumulates: the order is the same every time.
	want := [][]uint32{{3, 2, 1}, {3, 2, 1}, {3, 2, 1}}
	if got := resolutions(p, fixedRand(), 3, 3); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestLeastUsedDPF(t *testing.T) {
	// A LoadDPF of 0.5% per millisecond.
	ludpf := func(load float64, distance uint32) wire.Policy {
		return wire.Policy{Type: wire.PolicyLeastUsedDPF, Load: percent(load), LoadDPF: percent(0.5), Distance: distance}
	}
	p := newPool(t, wire.PolicyLeastUsedDPF, 0)
	p.Add(1, ludpf(10, 100)) // 10% + 100 ms × 0.5% = 60%
	p.Add(2, ludpf(40, 0))   // 40%
	p.Add(3, ludpf(30, 30))  // 30% + 15% = 45%
	if got := p.Select(fixedRand(), 3); !slices.Equal(got, []uint32{2, 3, 1}) {
		t.Errorf("got %v, want [2 3 1]", got)
	}
	p.Update(1, ludpf(10, 20)) // the registrar measured it closer: 20%
	if got := p.Select(fixedRand(), 3); !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Errorf("after moving 1 closer: got %v, want [1 2 3]", got)
	}
	// Without a DPF the distance does not count.
	p.Update(3, wire.Policy{Type: wire.PolicyLeastUsedDPF, Load: percent(5), Distance: 1000})
	if got := p.Select(fixedRand(), 1); !slices.Equal(got, []uint32{3}) {
		t.Errorf("with LoadDPF 0: got %v, want [3]", got)
	}
}

func TestLeastUsedDegradationDPF(t *testing.T) {
	luddpf := func(load float64, distance uint32) wire.Policy {
		return wire.Policy{Type: wire.PolicyLeastUsedDegradationDPF, Load: percent(load),
			LoadDegradation: percent(10), LoadDPF: percent(1), Distance: distance}
	}
	p := newPool(t, wire.PolicyLeastUsedDegradationDPF, 0)
	p.Add(1, luddpf(0, 15)) // 15% + 10% per selection
	p.Add(2, luddpf(20, 0)) // 20% + 10% per selection
	// 15 → 1 (25), 20 → 2 (30), 25 → 1 (35), 30 → 2 (40), 35 → 1.
	want := []uint32{1, 2, 1, 2, 1}
	if got := firsts(p, fixedRand(), len(want)); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRanksSaturate(t *testing.T) {
	// The largest rank the delay policies can compute must not wrap around
	// to the front of the order.
	huge := wire.Policy{Type: wire.PolicyLeastUsedDegradationDPF, Load: 0xFFFFFFFF,
		LoadDegradation: 0xFFFFFFFF, LoadDPF: 0xFFFFFFFF, Distance: 0xFFFFFFFF}
	p := newPool(t, wire.PolicyLeastUsedDegradationDPF, 0)
	p.Add(1, huge)
	p.Add(2, wire.Policy{Type: wire.PolicyLeastUsedDegradationDPF, Load: 0xFFFFFFFF})
	for range 3 {
		if got := p.Select(fixedRand(), 1); !slices.Equal(got, []uint32{2}) {
			t.Fatalf("got %v, want [2]: a saturated rank wrapped", got)
		}
	}
}
