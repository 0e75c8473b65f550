package policy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// critical holds the 0.999 quantiles of the chi-square distribution by
// degrees of freedom. A correct sampler exceeds them one time in a thousand;
// with the fixed seeds the outcome is fixed, and the skew checks below show
// the sample sizes are large enough to catch a biased sampler.
var critical = map[int]float64{3: 16.266, 4: 18.467, 11: 31.264}

// chiSquare returns Pearson's statistic for counts against probabilities.
func chiSquare(counts []int, probs []float64) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	var x2 float64
	for i, c := range counts {
		e := probs[i] * float64(total)
		x2 += (float64(c) - e) * (float64(c) - e) / e
	}
	return x2
}

func proportional(ws []uint64) []float64 {
	var sum float64
	for _, w := range ws {
		sum += float64(w)
	}
	ps := make([]float64, len(ws))
	for i, w := range ws {
		ps[i] = float64(w) / sum
	}
	return ps
}

// drawCounts adds elements 1..len(pols) with the given policies and counts
// how often each comes first in draws single-element resolutions.
func drawCounts(t *testing.T, pols []wire.Policy, draws int) []int {
	t.Helper()
	p := newPool(t, pols[0].Type, 0)
	for i, pol := range pols {
		p.Add(uint32(i+1), pol)
	}
	counts := make([]int, len(pols))
	for _, id := range firsts(p, fixedRand(), draws) {
		counts[id-1]++
	}
	return counts
}

func TestWeightedDistributions(t *testing.T) {
	const draws = 60000
	random := wire.Policy{Type: wire.PolicyRandom}
	wr := func(w uint32) wire.Policy { return wire.Policy{Type: wire.PolicyWeightedRandom, Weight: w} }
	rlu := func(load float64) wire.Policy {
		return wire.Policy{Type: wire.PolicyRandomizedLeastUsed, Load: percent(load)}
	}
	// WeightDPF 1% of the weight per millisecond.
	wrdpf := func(w, distance uint32) wire.Policy {
		return wire.Policy{Type: wire.PolicyWeightedRandomDPF, Weight: w, WeightDPF: percent(1), Distance: distance}
	}
	cases := []struct {
		name    string
		pols    []wire.Policy
		weights []uint64 // the expected relative frequencies
		skewed  []wire.Policy
	}{{
		name:    "Random",
		pols:    []wire.Policy{random, random, random, random, random},
		weights: []uint64{1, 1, 1, 1, 1},
		// A sampler that drew one element 10% too often.
		skewed: []wire.Policy{wr(10), wr(10), wr(10), wr(10), wr(11)},
	}, {
		name:    "WeightedRandom",
		pols:    []wire.Policy{wr(1), wr(2), wr(3), wr(4), wr(10)},
		weights: []uint64{1, 2, 3, 4, 10},
		skewed:  []wire.Policy{wr(1), wr(2), wr(3), wr(4), wr(11)},
	}, {
		name:    "RandomizedLeastUsed",
		pols:    []wire.Policy{rlu(0), rlu(20), rlu(50), rlu(80), rlu(95)},
		weights: []uint64{100, 80, 50, 20, 5},
		skewed:  []wire.Policy{rlu(0), rlu(20), rlu(50), rlu(80), rlu(93)},
	}, {
		name: "WeightedRandomDPF",
		// 0 ms keeps the weight, 10 ms costs 10%, 50 ms half, 100 ms and
		// more all of it but the minimum weight of 1 (of 1000 here).
		pols:    []wire.Policy{wrdpf(1000, 0), wrdpf(1000, 10), wrdpf(1000, 50), wrdpf(1000, 90), wrdpf(1000, 100)},
		weights: []uint64{1000, 900, 500, 100, 1},
		skewed:  []wire.Policy{wrdpf(1000, 0), wrdpf(1000, 10), wrdpf(1000, 45), wrdpf(1000, 90), wrdpf(1000, 100)},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			probs := proportional(c.weights)
			crit := critical[len(probs)-1]
			fair := chiSquare(drawCounts(t, c.pols, draws), probs)
			skewed := chiSquare(drawCounts(t, c.skewed, draws), probs)
			t.Logf("chi-square %.2f, skewed %.2f, critical %.3f", fair, skewed, crit)
			if fair > crit {
				t.Errorf("chi-square %.2f > %.3f: draws do not follow weights %v", fair, crit, c.weights)
			}
			if skewed <= crit {
				t.Errorf("chi-square of a skewed sampler %.2f <= %.3f: the test cannot detect bias", skewed, crit)
			}
		})
	}
}

// TestWeightedDrawsWithoutReplacement checks the whole joint distribution of
// two-element resolutions: P(i then j) = w_i/W × w_j/(W − w_i). It fails if
// the cut-out mapping of later draws is wrong, and the skew check shows it
// tells this apart from the plausible mistake of drawing pairs
// proportionally to w_i × w_j.
func TestWeightedDrawsWithoutReplacement(t *testing.T) {
	weights := []uint32{1, 2, 3, 4}
	p := newPool(t, wire.PolicyWeightedRandom, 0)
	for i, w := range weights {
		p.Add(uint32(i+1), wire.Policy{Type: wire.PolicyWeightedRandom, Weight: w})
	}
	pairs := map[[2]uint32]int{}
	for _, r := range resolutions(p, fixedRand(), 2, 40000) {
		if len(r) != 2 || r[0] == r[1] {
			t.Fatalf("resolution %v: want two distinct elements", r)
		}
		pairs[[2]uint32{r[0], r[1]}]++
	}
	var counts []int
	var exact, product []float64
	var productSum float64
	for i, wi := range weights {
		for j, wj := range weights {
			if i == j {
				continue
			}
			counts = append(counts, pairs[[2]uint32{uint32(i + 1), uint32(j + 1)}])
			exact = append(exact, float64(wi)/10*float64(wj)/float64(10-wi))
			product = append(product, float64(wi*wj))
			productSum += float64(wi * wj)
		}
	}
	for k := range product {
		product[k] /= productSum
	}
	crit := critical[len(counts)-1]
	fair, wrong := chiSquare(counts, exact), chiSquare(counts, product)
	t.Logf("chi-square %.2f, against the wrong model %.2f, critical %.3f", fair, wrong, crit)
	if fair > crit {
		t.Errorf("chi-square %.2f > %.3f: pairs do not follow sequential draws", fair, crit)
	}
	if wrong <= crit {
		t.Errorf("chi-square against the wrong model %.2f <= %.3f: the test cannot tell them apart", wrong, crit)
	}
}

func TestZeroWeightNeverDrawn(t *testing.T) {
	for _, typ := range []wire.PolicyType{wire.PolicyWeightedRandom, wire.PolicyWeightedRandomDPF} {
		p := newPool(t, typ, 0)
		p.Add(1, wire.Policy{Type: typ, Weight: 0})
		p.Add(2, wire.Policy{Type: typ, Weight: 5})
		rng := fixedRand()
		for range 100 {
			if got := p.Select(rng, 2); !slices.Equal(got, []uint32{2}) {
				t.Fatalf("%v: got %v, want only [2]", typ, got)
			}
		}
	}
}

func TestWeightedRandomDPFWeight(t *testing.T) {
	cases := []struct {
		weight, dpf, distance uint32
		want                  uint64
	}{
		{1000, percent(1), 0, 1000},
		{1000, percent(1), 25, 750},
		{1000, percent(1), 99, 10},
		{1000, percent(1), 100, 1}, // all lost: kept reachable
		{1000, percent(1), 0xFFFFFFFF, 1},
		{0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 1},
		{0xFFFFFFFF, 1, 1, 0xFFFFFFFF - 1},
		{3, 0x80000000, 1, 1}, // a loss just over 1.5 rounds to 2
		{3, 0x7FFFFFFF, 1, 2}, // a loss just under 1.5 rounds to 1
		{0, percent(1), 10, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("w=%d,dpf=%#x,d=%d", c.weight, c.dpf, c.distance), func(t *testing.T) {
			p := newPool(t, wire.PolicyWeightedRandomDPF, 0)
			p.Add(1, wire.Policy{Type: wire.PolicyWeightedRandomDPF, Weight: c.weight, WeightDPF: c.dpf, Distance: c.distance})
			if got := p.Selector().Weight(p.State(1)); got != c.want {
				t.Errorf("weight = %d, want %d", got, c.want)
			}
		})
	}
}
