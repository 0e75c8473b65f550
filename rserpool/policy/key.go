package policy

import "cmp"

// Key is an element's place in its pool's selection order. Ordered policies
// hand out the lowest keys first; weighted policies only need some fixed
// order to lay the weights out along a line.
type Key struct {
	// Rank is the policy's preference: a load, an inverted priority, a round
	// number. Weighted policies leave it zero.
	Rank uint64
	// Tie separates equal ranks. Ordered policies use the element's sequence
	// number, so equals are served in turn; weighted policies use the PE
	// identifier, so the layout does not depend on registration order.
	Tie uint64
}

// Compare orders keys by Rank, then Tie.
func (k Key) Compare(o Key) int {
	if c := cmp.Compare(k.Rank, o.Rank); c != 0 {
		return c
	}
	return cmp.Compare(k.Tie, o.Tie)
}
