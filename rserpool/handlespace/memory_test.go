package handlespace

import "testing"

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
