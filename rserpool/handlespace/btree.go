package handlespace

// Every index of the handlespace (pools by handle, a pool's elements by
// identifier, a pool's elements in its policy's selection order) is one
// structure: a B+ tree with unique keys whose nodes also keep the weight sum
// of each child, so a weighted random pick is a single descent.
//
// A B+ tree rather than a binary tree (AVL, red-black, treap) or a skip list
// because every operation is a walk from the root, and a walk that visits
// log32(n) nodes of a few adjacent cache lines each costs far less than one
// that chases log2(n) pointers to scattered small nodes: at 100000 elements
// a pool's tree is four levels deep instead of seventeen, and a weighted pick
// that misses the cache at every level is four times cheaper. It is also
// deterministic (no random levels or priorities an adversary could skew),
// the ordered policies only ever touch the leftmost and rightmost paths,
// and the fixed-size nodes hold no per-entry allocations.

const (
	maxFill = 32          // most entries (leaf) or children (inner node) per node
	minFill = maxFill / 2 // fewest, except at the root
)

// btree is an ordered map from K to V with a weight per entry.
type btree[K, V any] struct {
	root *bnode[K, V]
	// spares are nodes merges freed, kept for later splits: the ordered
	// policies keep draining the leftmost leaves and filling the rightmost,
	// and recycling makes that steady state allocation-free.
	spares []*bnode[K, V]
	cmp    func(a, b K) int
	len    int
}

// maxSpares bounds the nodes a tree keeps for reuse: one per level of a
// tree of a billion entries is plenty.
const maxSpares = 8

// bnode is a node of a btree. A leaf holds n entries: keys[i] maps to
// vals[i] with weight sums[i]. An inner node holds n children kids[i] whose
// entries weigh sums[i] in total, separated by n-1 keys: the keys under
// kids[i] are below keys[i], those under kids[i+1] are keys[i] or above.
// The arrays have room for one more, which a split takes away again.
type bnode[K, V any] struct {
	leaf bool
	n    int
	keys [maxFill + 1]K
	sums [maxFill + 1]uint64
	vals [maxFill + 1]V
	kids [maxFill + 1]*bnode[K, V]
}

// newNode returns an empty node, a spare one if there is one.
func (t *btree[K, V]) newNode(leaf bool) *bnode[K, V] {
	last := len(t.spares) - 1
	if last < 0 {
		return &bnode[K, V]{leaf: leaf}
	}
	nd := t.spares[last]
	t.spares[last] = nil
	t.spares = t.spares[:last]
	nd.leaf = leaf
	return nd
}

// recycle keeps nd, which is no longer in the tree, for reuse.
func (t *btree[K, V]) recycle(nd *bnode[K, V]) {
	if len(t.spares) < maxSpares {
		*nd = bnode[K, V]{} // drop its keys and values
		t.spares = append(t.spares, nd)
	}
}

func (nd *bnode[K, V]) total() uint64 {
	var s uint64
	for _, w := range nd.sums[:nd.n] {
		s += w
	}
	return s
}

// lower returns the index of the first of keys not below k.
func (t *btree[K, V]) lower(keys []K, k K) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		if mid := int(uint(lo+hi) >> 1); t.cmp(keys[mid], k) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// upper returns the index of the first of keys above k.
func (t *btree[K, V]) upper(keys []K, k K) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		if mid := int(uint(lo+hi) >> 1); t.cmp(keys[mid], k) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// child returns the index of the child of inner node nd that holds k.
func (t *btree[K, V]) child(nd *bnode[K, V], k K) int { return t.upper(nd.keys[:nd.n-1], k) }

// find returns the value of key k.
func (t *btree[K, V]) find(k K) (v V, ok bool) {
	nd := t.root
	if nd == nil {
		return v, false
	}
	for !nd.leaf {
		nd = nd.kids[t.child(nd, k)]
	}
	if i := t.lower(nd.keys[:nd.n], k); i < nd.n && t.cmp(nd.keys[i], k) == 0 {
		return nd.vals[i], true
	}
	return v, false
}

// insert adds key k, which is not in t, with value v and weight w.
func (t *btree[K, V]) insert(k K, v V, w uint64) {
	if t.root == nil {
		t.root = t.newNode(true)
	}
	if right, sep := t.insertAt(t.root, k, v, w); right != nil {
		left := t.root
		t.root = t.newNode(false)
		t.root.n = 2
		t.root.keys[0] = sep
		t.root.kids[0], t.root.kids[1] = left, right
		t.root.sums[0], t.root.sums[1] = left.total(), right.total()
	}
	t.len++
}

// insertAt inserts into the subtree at nd. If nd overflows it splits and
// returns its new right sibling and the key separating the two.
func (t *btree[K, V]) insertAt(nd *bnode[K, V], k K, v V, w uint64) (*bnode[K, V], K) {
	if nd.leaf {
		i := t.lower(nd.keys[:nd.n], k)
		insertSlot(nd.keys[:], nd.n, i, k)
		insertSlot(nd.vals[:], nd.n, i, v)
		insertSlot(nd.sums[:], nd.n, i, w)
		nd.n++
	} else {
		i := t.child(nd, k)
		nd.sums[i] += w
		if right, sep := t.insertAt(nd.kids[i], k, v, w); right != nil {
			moved := right.total()
			nd.sums[i] -= moved
			insertSlot(nd.keys[:], nd.n-1, i, sep)
			insertSlot(nd.kids[:], nd.n, i+1, right)
			insertSlot(nd.sums[:], nd.n, i+1, moved)
			nd.n++
		}
	}
	if nd.n <= maxFill {
		var none K
		return nil, none
	}
	right := t.newNode(nd.leaf)
	return right, nd.split(right)
}

// split moves the upper half of nd into right, an empty node, and returns
// the key separating them.
func (nd *bnode[K, V]) split(right *bnode[K, V]) (sep K) {
	half := nd.n / 2
	right.n = nd.n - half
	copy(right.sums[:], nd.sums[half:nd.n])
	if nd.leaf {
		copy(right.keys[:], nd.keys[half:nd.n])
		copy(right.vals[:], nd.vals[half:nd.n])
		sep = right.keys[0]
	} else {
		copy(right.kids[:], nd.kids[half:nd.n])
		copy(right.keys[:], nd.keys[half:nd.n-1])
		sep = nd.keys[half-1]
	}
	nd.truncate(half)
	return sep
}

// remove deletes key k, which is in t, and returns its weight.
func (t *btree[K, V]) remove(k K) uint64 {
	w := t.removeAt(t.root, k)
	if old := t.root; !old.leaf && old.n == 1 {
		t.root = old.kids[0]
		t.recycle(old)
	}
	t.len--
	return w
}

func (t *btree[K, V]) removeAt(nd *bnode[K, V], k K) uint64 {
	if nd.leaf {
		i := t.lower(nd.keys[:nd.n], k)
		if i == nd.n || t.cmp(nd.keys[i], k) != 0 {
			panic("handlespace: removing a key that is not in the index")
		}
		w := nd.sums[i]
		deleteSlot(nd.keys[:], nd.n, i)
		deleteSlot(nd.vals[:], nd.n, i)
		deleteSlot(nd.sums[:], nd.n, i)
		nd.n--
		return w
	}
	i := t.child(nd, k)
	w := t.removeAt(nd.kids[i], k)
	nd.sums[i] -= w
	if nd.kids[i].n < minFill {
		if dropped := nd.refill(i); dropped != nil {
			t.recycle(dropped)
		}
	}
	return w
}

// refill brings child i of nd back to minFill by taking an entry from a
// sibling that can spare one, or else by merging it with a sibling. It
// returns the node a merge dropped, if any.
func (nd *bnode[K, V]) refill(i int) (dropped *bnode[K, V]) {
	switch {
	case i > 0 && nd.kids[i-1].n > minFill:
		nd.shiftRight(i - 1)
	case i+1 < nd.n && nd.kids[i+1].n > minFill:
		nd.shiftLeft(i)
	case i > 0:
		return nd.merge(i - 1)
	default:
		return nd.merge(i)
	}
	return nil
}

// shiftRight moves the last entry of child i to the front of child i+1.
func (nd *bnode[K, V]) shiftRight(i int) {
	l, r := nd.kids[i], nd.kids[i+1]
	last := l.n - 1
	w := l.sums[last]
	insertSlot(r.sums[:], r.n, 0, w)
	if l.leaf {
		insertSlot(r.keys[:], r.n, 0, l.keys[last])
		insertSlot(r.vals[:], r.n, 0, l.vals[last])
		nd.keys[i] = l.keys[last]
	} else {
		insertSlot(r.kids[:], r.n, 0, l.kids[last])
		insertSlot(r.keys[:], r.n-1, 0, nd.keys[i])
		nd.keys[i] = l.keys[last-1]
	}
	r.n++
	l.truncate(last)
	nd.sums[i] -= w
	nd.sums[i+1] += w
}

// shiftLeft moves the first entry of child i+1 to the end of child i.
func (nd *bnode[K, V]) shiftLeft(i int) {
	l, r := nd.kids[i], nd.kids[i+1]
	w := r.sums[0]
	l.sums[l.n] = w
	if r.leaf {
		l.keys[l.n], l.vals[l.n] = r.keys[0], r.vals[0]
		deleteSlot(r.keys[:], r.n, 0)
		deleteSlot(r.vals[:], r.n, 0)
		nd.keys[i] = r.keys[0]
	} else {
		l.kids[l.n], l.keys[l.n-1] = r.kids[0], nd.keys[i]
		nd.keys[i] = r.keys[0]
		deleteSlot(r.kids[:], r.n, 0)
		deleteSlot(r.keys[:], r.n-1, 0)
	}
	deleteSlot(r.sums[:], r.n, 0)
	l.n++
	r.n--
	nd.sums[i] += w
	nd.sums[i+1] -= w
}

// merge appends child i+1 to child i and drops it, returning it.
func (nd *bnode[K, V]) merge(i int) *bnode[K, V] {
	l, r := nd.kids[i], nd.kids[i+1]
	copy(l.sums[l.n:], r.sums[:r.n])
	if l.leaf {
		copy(l.keys[l.n:], r.keys[:r.n])
		copy(l.vals[l.n:], r.vals[:r.n])
	} else {
		l.keys[l.n-1] = nd.keys[i]
		copy(l.keys[l.n:], r.keys[:r.n-1])
		copy(l.kids[l.n:], r.kids[:r.n])
	}
	l.n += r.n
	nd.sums[i] += nd.sums[i+1]
	deleteSlot(nd.keys[:], nd.n-1, i)
	deleteSlot(nd.kids[:], nd.n, i+1)
	deleteSlot(nd.sums[:], nd.n, i+1)
	nd.n--
	return r
}

// truncate keeps the first n entries of nd and clears the rest, so the
// node does not keep removed values alive.
func (nd *bnode[K, V]) truncate(n int) {
	clear(nd.keys[n:nd.n])
	clear(nd.vals[n:nd.n])
	clear(nd.kids[n:nd.n])
	clear(nd.sums[n:nd.n])
	nd.n = n
}

// insertSlot inserts x at index i of the first n elements of a.
func insertSlot[T any](a []T, n, i int, x T) {
	copy(a[i+1:n+1], a[i:n])
	a[i] = x
}

// deleteSlot removes index i of the first n elements of a, clearing the
// freed last one.
func deleteSlot[T any](a []T, n, i int) {
	copy(a[i:n-1], a[i+1:n])
	var zero T
	a[n-1] = zero
}

// appendFirst appends the first n values in key order to dst.
func (t *btree[K, V]) appendFirst(dst []V, n int) []V {
	if t.root == nil {
		return dst
	}
	return appendLeaves(t.root, dst, len(dst)+n)
}

func appendLeaves[K, V any](nd *bnode[K, V], dst []V, limit int) []V {
	if nd.leaf {
		return append(dst, nd.vals[:min(nd.n, limit-len(dst))]...)
	}
	for _, kid := range nd.kids[:nd.n] {
		if len(dst) >= limit {
			break
		}
		dst = appendLeaves(kid, dst, limit)
	}
	return dst
}

// ascend calls yield with the values whose keys come after *after (all of
// them if after is nil) in key order, until yield returns false. It reports
// whether it got to the end.
func (t *btree[K, V]) ascend(after *K, yield func(V) bool) bool {
	return t.root == nil || t.ascendAt(t.root, after, yield)
}

func (t *btree[K, V]) ascendAt(nd *bnode[K, V], after *K, yield func(V) bool) bool {
	if nd.leaf {
		i := 0
		if after != nil {
			i = t.upper(nd.keys[:nd.n], *after)
		}
		for _, v := range nd.vals[i:nd.n] {
			if !yield(v) {
				return false
			}
		}
		return true
	}
	i := 0
	if after != nil {
		i = t.child(nd, *after)
	}
	if !t.ascendAt(nd.kids[i], after, yield) {
		return false
	}
	for _, kid := range nd.kids[i+1 : nd.n] { // entirely after *after
		if !t.ascendAt(kid, nil, yield) {
			return false
		}
	}
	return true
}

// totalWeight returns the sum of all weights.
func (t *btree[K, V]) totalWeight() uint64 {
	if t.root == nil {
		return 0
	}
	return t.root.total()
}

// pick returns the entry covering v on the line of weights laid out in key
// order: its value, where its interval starts, and its weight. v must be
// below totalWeight().
func (t *btree[K, V]) pick(v uint64) (val V, start, weight uint64) {
	nd := t.root
	for {
		i := 0
		for v >= nd.sums[i] {
			v -= nd.sums[i]
			start += nd.sums[i]
			i++
		}
		if nd.leaf {
			return nd.vals[i], start, nd.sums[i]
		}
		nd = nd.kids[i]
	}
}
