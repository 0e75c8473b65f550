package stack

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// arena copies small byte slices into shared blocks, so that copying a
// message costs no allocation of its own. Messages larger than an eighth
// of the largest block get their own allocation, which wastes nothing.
//
// Blocks are sized by how fast they fill: the first is small, and each
// next one doubles while they fill within arenaRefill and halves while
// they take longer. A busy association copies into 64 KiB blocks, while
// one that carries a message now and then (a pool user, a registrar's
// client) holds a small block instead of 64 KiB.
//
// A block counts the slices cut from it that are still in use, and once
// the last is released and the arena has moved on, it goes back to a pool
// for the next arena that needs one of its size. A bulk transfer then
// cycles through a few blocks that stay in the cache, instead of
// allocating, zeroing and collecting about a block per 64 KiB sent or
// received, and writing every message into memory it has not touched yet.
// A slice that is never released costs nothing but that reuse: its block
// is left to the garbage collector.
type arena struct {
	cur     *slab
	started time.Time // when cur was taken
}

// slab is one block of an arena.
type slab struct {
	buf []byte // len: the bytes handed out so far; cap: the block's size
	// refs counts the slices of buf in use, plus one while the arena
	// fills it. Whoever brings it to zero recycles the block.
	refs atomic.Int32
}

const (
	arenaBlock    = 64 << 10 // the largest block
	arenaMinBlock = 1 << 10  // the smallest, and the first
	arenaRefill   = time.Second
	arenaSizes    = 7 // arenaMinBlock << 0 to arenaMinBlock << 6 = arenaBlock
)

// arenaPools hold free blocks by size: arenaMinBlock << i in pool i.
var arenaPools [arenaSizes]sync.Pool

// copy returns a copy of p and the block that holds it (nil for a large
// copy, which has its own array), on which the caller calls release once
// the copy is no longer used. The copy's capacity is its length, so an
// append to it cannot overwrite its neighbour.
func (ar *arena) copy(p []byte) ([]byte, *slab) {
	b, blk := ar.alloc(len(p))
	return append(b, p...), blk
}

// alloc returns an empty slice with room for exactly n bytes, and its
// block as copy does. The bytes past its length may hold old data.
func (ar *arena) alloc(n int) ([]byte, *slab) {
	if n > arenaBlock/8 {
		return make([]byte, 0, n), nil
	}
	if ar.cur == nil || cap(ar.cur.buf)-len(ar.cur.buf) < n {
		ar.renew(n)
	}
	blk := ar.cur
	off := len(blk.buf)
	blk.buf = blk.buf[:off+n]
	blk.refs.Add(1)
	return blk.buf[off : off : off+n], blk
}

// renew starts a new block with room for at least n bytes, sized by how
// fast the last one filled. It reads the clock once per block.
func (ar *arena) renew(n int) {
	now := time.Now()
	size := 0
	if ar.cur != nil {
		size = cap(ar.cur.buf)
	}
	switch {
	case size == 0:
		size = arenaMinBlock
	case now.Sub(ar.started) < arenaRefill:
		size = min(2*size, arenaBlock)
	default:
		size = max(size/2, arenaMinBlock)
	}
	ar.reset()
	ar.cur = takeSlab(max(size, 1<<bits.Len(uint(n-1))))
	ar.started = now
}

// reset lets go of the current block: the next copy starts a new one.
func (ar *arena) reset() {
	ar.cur.release()
	ar.cur = nil
}

// takeSlab returns an empty block of size bytes, a power of two from
// arenaMinBlock to arenaBlock, holding the arena's reference.
func takeSlab(size int) *slab {
	pool := &arenaPools[bits.TrailingZeros(uint(size/arenaMinBlock))]
	blk, _ := pool.Get().(*slab)
	if blk == nil {
		blk = &slab{buf: make([]byte, 0, size)}
	}
	blk.refs.Store(1)
	return blk
}

// release drops one reference to b, a no-op on nil, and recycles b when
// it was the last.
func (b *slab) release() {
	if b == nil || b.refs.Add(-1) != 0 {
		return
	}
	b.buf = b.buf[:0]
	arenaPools[bits.TrailingZeros(uint(cap(b.buf)/arenaMinBlock))].Put(b)
}

// retain adds a reference to b, a no-op on nil, for one more slice of it.
func (b *slab) retain() {
	if b != nil {
		b.refs.Add(1)
	}
}

// releaseSlab releases *b and clears it, so that a second call does
// nothing.
func releaseSlab(b **slab) {
	(*b).release()
	*b = nil
}
