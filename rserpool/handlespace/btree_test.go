package handlespace

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

type intTree = btree[int, int]

// checkTree verifies key order and separators, node fill, uniform leaf
// depth, the weight sums and the length, and returns the keys in order.
func checkTree(t *testing.T, tr *intTree) []int {
	t.Helper()
	var keys []int
	leafDepth := -1
	// walk checks the subtree at nd, whose keys must lie in [lo, hi) where
	// given, and returns its weight.
	var walk func(nd *bnode[int, int], depth int, lo, hi *int) uint64
	walk = func(nd *bnode[int, int], depth int, lo, hi *int) uint64 {
		if nd != tr.root && (nd.n < minFill || nd.n > maxFill) {
			t.Fatalf("node with %d entries", nd.n)
		}
		if nd.leaf {
			if leafDepth >= 0 && depth != leafDepth {
				t.Fatalf("leaves at depths %d and %d", leafDepth, depth)
			}
			leafDepth = depth
			for _, k := range nd.keys[:nd.n] {
				if (lo != nil && k < *lo) || (hi != nil && k >= *hi) {
					t.Fatalf("key %d outside its separators", k)
				}
				keys = append(keys, k)
			}
			return nd.total()
		}
		var sum uint64
		for i, kid := range nd.kids[:nd.n] {
			klo, khi := lo, hi
			if i > 0 {
				klo = &nd.keys[i-1]
			}
			if i < nd.n-1 {
				khi = &nd.keys[i]
			}
			if w := walk(kid, depth+1, klo, khi); w != nd.sums[i] {
				t.Fatalf("child sum %d, its entries weigh %d", nd.sums[i], w)
			}
			sum += nd.sums[i]
		}
		return sum
	}
	if tr.root != nil {
		walk(tr.root, 0, nil, nil)
	}
	if !slices.IsSorted(keys) || len(keys) != tr.len {
		t.Fatalf("keys %v (len %d) not sorted or not matching", keys, tr.len)
	}
	return keys
}

// TestBtreeAgainstMap runs random inserts, removals and reweighing with
// enough keys for several levels, checking every invariant as it goes.
func TestBtreeAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tr := intTree{cmp: cmp.Compare[int]}
	weights := map[int]uint64{}
	for step := range 60000 {
		// Phases of growth and shrinkage make the tree gain and lose levels.
		k, grow := rng.IntN(3000), step/10000%2 == 0
		if w, ok := weights[k]; ok && (!grow || rng.IntN(4) == 0) {
			if got := tr.remove(k); got != w {
				t.Fatalf("remove(%d) returned weight %d, want %d", k, got, w)
			}
			delete(weights, k)
		} else if !ok {
			w := rng.Uint64N(10)
			tr.insert(k, k, w)
			weights[k] = w
		}
		if step%499 == 0 {
			keys := checkTree(t, &tr)
			if want := slices.Sorted(func(yield func(int) bool) {
				for k := range weights {
					yield(k)
				}
			}); !slices.Equal(keys, want) {
				t.Fatalf("step %d: keys differ from the map", step)
			}
			var total uint64
			for _, w := range weights {
				total += w
			}
			if tr.totalWeight() != total {
				t.Fatalf("step %d: total %d, want %d", step, tr.totalWeight(), total)
			}
		}
	}
	for k := range weights {
		tr.remove(k)
	}
	checkTree(t, &tr)
	if tr.len != 0 || tr.totalWeight() != 0 {
		t.Fatalf("emptied tree: len %d, weight %d", tr.len, tr.totalWeight())
	}
}

func TestBtreeQueries(t *testing.T) {
	tr := intTree{cmp: cmp.Compare[int]}
	// 1000 keys 0, 10, 20, ... weighing 1, 2, 3, 1, 2, 3, ...: several levels.
	for k := range 1000 {
		tr.insert(k*10, k*10, uint64(k%3+1))
	}
	if got := tr.appendFirst(nil, 3); !slices.Equal(got, []int{0, 10, 20}) {
		t.Errorf("appendFirst(3) = %v", got)
	}
	if got := tr.appendFirst([]int{7}, 2); !slices.Equal(got, []int{7, 0, 10}) {
		t.Errorf("appendFirst(2) after 7 = %v", got)
	}
	if got := len(tr.appendFirst(nil, 5000)); got != 1000 {
		t.Errorf("appendFirst beyond the end returned %d values", got)
	}
	for _, c := range []struct {
		after int
		want  []int
	}{{-1, []int{0, 10, 20}}, {0, []int{10, 20, 30}}, {5, []int{10, 20, 30}}, {9975, []int{9980, 9990}}, {9990, nil}} {
		var got []int
		tr.ascend(&c.after, func(v int) bool { got = append(got, v); return len(got) < 3 })
		if !slices.Equal(got, c.want) {
			t.Errorf("ascend after %d = %v, want %v", c.after, got, c.want)
		}
	}
	if v, ok := tr.find(4130); !ok || v != 4130 {
		t.Error("find(4130) failed")
	}
	if _, ok := tr.find(4131); ok {
		t.Error("find(4131) found something")
	}
	// Every point of the weight line maps to the entry covering it.
	var start uint64
	for k := range 1000 {
		w := uint64(k%3 + 1)
		for v := start; v < start+w; v++ {
			if got, s, gw := tr.pick(v); got != k*10 || s != start || gw != w {
				t.Fatalf("pick(%d) = %d at %d weighing %d, want %d at %d weighing %d", v, got, s, gw, k*10, start, w)
			}
		}
		start += w
	}
	if tr.totalWeight() != start {
		t.Errorf("total %d, want %d", tr.totalWeight(), start)
	}
}
