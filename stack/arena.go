package stack

import "time"

// arena copies small byte slices into shared blocks, so that copying a
// message costs no allocation of its own; a block is freed by the garbage
// collector once nothing refers to any message in it. Messages larger
// than an eighth of the largest block get their own allocation, which
// wastes nothing.
//
// Blocks are sized by how fast they fill: the first is small, and each
// next one doubles while they fill within arenaRefill and halves while
// they take longer. A busy association copies into 64 KiB blocks, while
// one that carries a message now and then (a pool user, a registrar's
// client) holds a small block instead of 64 KiB.
type arena struct {
	block   []byte
	started time.Time // when block was allocated
}

const (
	arenaBlock    = 64 << 10 // the largest block
	arenaMinBlock = 1 << 10  // the smallest, and the first
	arenaRefill   = time.Second
)

// copy returns a copy of p. The copy's capacity is its length, so an
// append to it cannot overwrite its neighbour.
func (ar *arena) copy(p []byte) []byte { return append(ar.alloc(len(p)), p...) }

// alloc returns an empty slice with room for exactly n bytes.
func (ar *arena) alloc(n int) []byte {
	if n > arenaBlock/8 {
		return make([]byte, 0, n)
	}
	if cap(ar.block)-len(ar.block) < n {
		ar.renew(n)
	}
	off := len(ar.block)
	ar.block = ar.block[:off+n]
	return ar.block[off : off : off+n]
}

// renew starts a new block with room for at least n bytes, sized by how
// fast the last one filled. It reads the clock once per block.
func (ar *arena) renew(n int) {
	now := time.Now()
	size := cap(ar.block)
	switch {
	case size == 0:
		size = arenaMinBlock
	case now.Sub(ar.started) < arenaRefill:
		size = min(2*size, arenaBlock)
	default:
		size = max(size/2, arenaMinBlock)
	}
	ar.block = make([]byte, 0, max(size, n))
	ar.started = now
}
