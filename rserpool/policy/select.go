package policy

import (
	"math/rand/v2"
	"slices"
)

// Index is a pool's elements as a Selector sees them: ordered by the Key the
// Selector gave each, with the Selector's weights summed along that order.
// A balanced search tree that keeps the weight sum of every subtree answers
// each method in O(log n + results).
type Index[E any] interface {
	// State returns the selection state embedded in e.
	State(e E) *State
	// AppendFirst appends the n elements with the lowest keys (fewer if the
	// pool is smaller) to dst in ascending key order.
	AppendFirst(dst []E, n int) []E
	// Rekey moves e, which is in the index, to key k.
	Rekey(e E, k Key)
	// TotalWeight returns the sum of all weights.
	TotalWeight() uint64
	// Pick returns the element whose weight interval contains v, for
	// v < TotalWeight(), laying the weights out in key order: the element
	// covers [start, start+weight).
	Pick(v uint64) (e E, start, weight uint64)
}

// Select appends up to n elements of the pool chosen by s's policy to dst:
// fewer if the pool has fewer (or, for weighted policies, fewer with a
// nonzero weight). Ordered policies update the state of the elements they
// count as used (see New) and re-key them in ix. Weighted policies draw
// without replacement using rng and change nothing.
func Select[E any](s *Selector, ix Index[E], rng *rand.Rand, n int, dst []E) []E {
	if n <= 0 {
		return dst
	}
	if s.rule.weighted {
		return drawWeighted(s, ix, rng, n, dst)
	}
	return takeFirst(s, ix, n, dst)
}

// takeFirst is the ordered shape: the first n in key order, of which the
// first maxIncrement count as used.
func takeFirst[E any](s *Selector, ix Index[E], n int, dst []E) []E {
	start := len(dst)
	dst = ix.AppendFirst(dst, n)
	chosen := dst[start:]
	for _, e := range chosen[:min(len(chosen), s.maxIncrement)] {
		st := ix.State(e)
		s.use(st)
		ix.Rekey(e, s.Key(st))
	}
	return dst
}

// span is the weight interval of an element already drawn.
type span struct{ start, width uint64 }

// drawWeighted is the weighted shape: n draws without replacement. Rather
// than take drawn elements out of the index and put them back, each draw
// picks a point on the line with the drawn intervals cut out and maps it back
// onto the full line, so the index is only read.
func drawWeighted[E any](s *Selector, ix Index[E], rng *rand.Rand, n int, dst []E) []E {
	drawn := s.drawn[:0]
	left := ix.TotalWeight()
	for ; n > 0 && left > 0; n-- {
		v := rng.Uint64N(left)
		// drawn is sorted by start: step over every cut interval up to v.
		// The element found then lies after exactly the i intervals passed.
		i := 0
		for ; i < len(drawn) && v >= drawn[i].start; i++ {
			v += drawn[i].width
		}
		e, start, width := ix.Pick(v)
		drawn = slices.Insert(drawn, i, span{start, width})
		left -= width
		dst = append(dst, e)
	}
	s.drawn = drawn
	return dst
}
