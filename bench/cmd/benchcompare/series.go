package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// series are the runs of one implementation at one message size.
type series struct {
	key, name string
	size      int
	cells     []cell // in run order
}

// group collects cells into series, in the order in which each series
// first appears.
func group(cells []cell) []*series {
	var out []*series
	for _, c := range cells {
		i := slices.IndexFunc(out, func(s *series) bool { return s.key == c.key && s.size == c.size })
		if i < 0 {
			out = append(out, &series{key: c.key, name: c.name, size: c.size})
			i = len(out) - 1
		}
		out[i].cells = append(out[i].cells, c)
	}
	return out
}

// values returns f of every successful run that has a value.
func (s *series) values(f func(cell) float64) []float64 {
	var v []float64
	for _, c := range s.cells {
		if x := f(c); c.err == nil && !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	return v
}

// median returns the median of f over the successful runs, the mean of
// the middle two for an even count, or NaN if no run succeeded.
func (s *series) median(f func(cell) float64) float64 {
	v := s.values(f)
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// spread returns the smallest and the largest f of the successful runs,
// or NaNs.
func (s *series) spread(f func(cell) float64) (lo, hi float64) {
	v := s.values(f)
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	return slices.Min(v), slices.Max(v)
}

// notes says, run by run, what went wrong or how much did not arrive.
func (s *series) notes() string {
	var out []string
	for i, c := range s.cells {
		if n := notes(c); n != "" {
			if len(s.cells) > 1 {
				n = fmt.Sprintf("run %d: %s", i+1, n)
			}
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// spreadText formats the range of f over the runs.
func (s *series) spreadText(f func(cell) float64) string {
	lo, hi := s.spread(f)
	if math.IsNaN(lo) {
		return ""
	}
	return number(lo) + "–" + number(hi)
}
