package stack

// arena copies small byte slices into shared blocks, so that copying a
// message costs no allocation of its own; a block is freed by the garbage
// collector once nothing refers to any message in it. Messages larger
// than an eighth of a block get their own allocation, which wastes
// nothing.
type arena struct{ block []byte }

// arenaBlock is the size of the blocks.
const arenaBlock = 64 << 10

// copy returns a copy of p. The copy's capacity is its length, so an
// append to it cannot overwrite its neighbour.
func (ar *arena) copy(p []byte) []byte { return append(ar.alloc(len(p)), p...) }

// alloc returns an empty slice with room for exactly n bytes.
func (ar *arena) alloc(n int) []byte {
	if n > arenaBlock/8 {
		return make([]byte, 0, n)
	}
	if cap(ar.block)-len(ar.block) < n {
		ar.block = make([]byte, 0, arenaBlock)
	}
	off := len(ar.block)
	ar.block = ar.block[:off+n]
	return ar.block[off : off : off+n]
}
