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
func (ar *arena) copy(p []byte) []byte {
	if len(p) > arenaBlock/8 {
		return append([]byte(nil), p...)
	}
	if cap(ar.block)-len(ar.block) < len(p) {
		ar.block = make([]byte, 0, arenaBlock)
	}
	off := len(ar.block)
	ar.block = append(ar.block, p...)
	return ar.block[off:len(ar.block):len(ar.block)]
}
