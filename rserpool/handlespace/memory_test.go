package handlespace

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestMemoryPerElement holds the handlespace to the project's budget of at
// most 1 KiB per pool element (short handle, 40-byte transport), for every
// shape of policy.
func TestMemoryPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("registers 100000 elements per policy")
	}
	const n, budget = 100_000, 1024
	for _, p := range benchPolicies {
		h := New(Options{})
		perElement := float64(heapGrowth(func() { fill(t, h, n, p.policy) })) / n
		t.Logf("%s: %.0f bytes per element", p.name, perElement)
		if perElement > budget {
			t.Errorf("%s: %.0f bytes per element, budget %d", p.name, perElement, budget)
		}
		if h.Len() != n { // keeps h alive until measured
			t.Fatal(h.Len())
		}
	}
}

// TestMemoryAfterFlood registers a million elements spread over 65536
// pools, as one flooding peer would, removes them again, and checks that
// the handlespace gives the memory back: its maps and its timer heap are
// rebuilt small, and the pools are gone with their elements.
func TestMemoryAfterFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("registers a million elements")
	}
	const n, pools, slack = 1 << 20, 1 << 16, 1 << 20
	h := New(Options{})
	var elements []*PoolElement
	base := liveHeap()
	for i := range n {
		r := benchRegistration(benchID(i), benchPolicies[0].policy)
		r.Handle = fmt.Appendf(nil, "flood-%d", i%pools)
		e, _, err := h.Register(r, t0)
		if err != nil {
			t.Fatal(err)
		}
		h.SetTimer(e, KeepAlive, t0.Add(time.Duration(i)))
		elements = append(elements, e)
	}
	peak := liveHeap()
	for i, e := range elements {
		h.Remove(e)
		elements[i] = nil
	}
	after := liveHeap()
	t.Logf("live heap: %d MB before, %d MB with %d elements in %d pools, %d KB after their removal",
		base>>20, peak>>20, n, pools, after>>10)
	if h.Len() != 0 || h.PoolCount() != 0 {
		t.Fatalf("%d elements in %d pools left", h.Len(), h.PoolCount())
	}
	if after-base > slack {
		t.Errorf("the handlespace keeps %d bytes after the flood went away, want at most %d", after-base, slack)
	}
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return int64(s.HeapAlloc)
}
