package stack

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// arena copies small byte slices into shared blocks, so that copying a
// message costs no allocation of its own. Messages larger than an eighth
// of the largest block get a block of their own (arena_large.go).
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
//
// The arena counts the slices it cuts in a field of its own and adds them
// to the block's count only when it moves on, so that a copy costs no
// atomic operation, and the block's count stays in the cache of the
// goroutine that releases (the association's loop for sent messages, the
// reader for received ones) instead of moving between two cores for every
// message.
type arena struct {
	cur     *slab
	used    int       // bytes of cur handed out
	cuts    int32     // slices cut from cur
	started time.Time // when cur was taken
}

// slab is one block of an arena, or the stand-in for a received packet's
// buffer whose chunks were kept in place (see pins).
type slab struct {
	buf []byte // the whole block; nil on a stand-in
	// refs is the slices cut, once the arena has added them, less those
	// released: negative while the arena fills the block, and zero again
	// when the last slice is released after the arena moved on. Whoever
	// brings it to zero recycles the block.
	refs atomic.Int32
	kept *encap.Buffer // a stand-in's packet buffer
	pins *pins         // whose count of kept buffers a stand-in is in
}

const (
	arenaBlock    = 64 << 10 // the largest block
	arenaMinBlock = 1 << 10  // the smallest, and the first
	arenaRefill   = time.Second
	arenaSizes    = 7 // arenaMinBlock << 0 to arenaMinBlock << 6 = arenaBlock
)

// arenaPools hold free blocks by size: arenaMinBlock << i in pool i.
var arenaPools [arenaSizes]sync.Pool

// copy returns a copy of p and the block that holds it (nil for a copy
// longer than largeMax, which has its own array), on which the caller
// calls release once the copy is no longer used. The copy's capacity is
// its length, so an append to it cannot overwrite its neighbour.
func (ar *arena) copy(p []byte) ([]byte, *slab) {
	b, blk, _ := ar.copyAt(p)
	return b, blk
}

// copyAt is copy that also returns where in the block the copy starts.
func (ar *arena) copyAt(p []byte) ([]byte, *slab, int) {
	b, blk, off := ar.alloc(len(p))
	return append(b, p...), blk, off
}

// alloc returns an empty slice with room for exactly n bytes, its block
// as copy does, and where in the block it starts. The bytes past its
// length may hold old data.
func (ar *arena) alloc(n int) ([]byte, *slab, int) {
	switch {
	case n > largeMax:
		return make([]byte, 0, n), nil, 0
	case n > largeMin:
		blk := takeLarge(n)
		return blk.buf[:0:n], blk, 0
	}
	if ar.cur == nil || len(ar.cur.buf)-ar.used < n {
		ar.renew(n)
	}
	off := ar.used
	ar.used += n
	ar.cuts++
	return ar.cur.buf[off : off : off+n], ar.cur, off
}

// rewind starts the current block over if every slice cut from it has
// been released. An association that sends one message at a time (a
// request, an answer to it) then writes each into the same lines, which
// are still in the cache, instead of into lines of its block it last
// wrote a block's worth of messages ago: a cache miss per message, and at
// 32 pool users more arena than the cache holds. The counts may wrap
// around; their difference, the slices in use, is what counts.
func (ar *arena) rewind() {
	if ar.cur != nil && ar.used > 0 && ar.cur.refs.Load() == -ar.cuts {
		ar.used = 0
	}
}

// renew starts a new block with room for at least n bytes, sized by how
// fast the last one filled. It reads the clock once per block.
func (ar *arena) renew(n int) {
	now := time.Now()
	size := 0
	if ar.cur != nil {
		size = len(ar.cur.buf)
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
	if ar.cur != nil && ar.cur.refs.Add(ar.cuts) == 0 {
		ar.cur.recycle() // every slice of it was released already
	}
	ar.cur, ar.used, ar.cuts = nil, 0, 0
}

// takeSlab returns an unused block of size bytes: a power of two from
// arenaMinBlock to arenaBlock, or a large block's size (largeClass).
func takeSlab(size int) *slab {
	if blk, _ := poolOf(size).Get().(*slab); blk != nil {
		return blk
	}
	return &slab{buf: make([]byte, size)}
}

// poolOf returns the pool of free blocks of size bytes. Large blocks of
// an arena block's size share its pool.
func poolOf(size int) *sync.Pool {
	if size <= arenaBlock && size&(size-1) == 0 {
		return &arenaPools[bits.TrailingZeros(uint(size/arenaMinBlock))]
	}
	class, _ := largeClass(size)
	return &largePools[class]
}

func (b *slab) recycle() {
	if b.kept != nil {
		b.unpin()
		return
	}
	poolOf(len(b.buf)).Put(b)
}

// release ends the use of n slices of b, a no-op on nil, and recycles b
// when they were the last.
func (b *slab) release(n int32) {
	if b != nil && b.refs.Add(-n) == 0 {
		b.recycle()
	}
}

// releaseSlab releases one slice of *b and clears it, so that a second
// call does nothing.
func releaseSlab(b **slab) {
	(*b).release(1)
	*b = nil
}

// slabReleases gathers the releases of consecutive slices so that a run of
// them from one block costs one atomic operation instead of one each: the
// messages acknowledged by a SACK, or read one after the other, mostly
// come from one block.
type slabReleases struct {
	blk *slab
	n   int32
}

// add releases one slice of b, a no-op on nil, after the others of b.
func (r *slabReleases) add(b *slab) {
	if b == nil {
		return
	}
	if b != r.blk {
		r.flush()
		r.blk = b
	}
	r.n++
}

// flush does the releases gathered.
func (r *slabReleases) flush() {
	r.blk.release(r.n)
	r.blk, r.n = nil, 0
}
