package stack

import (
	"bytes"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Blocks grow while they fill quickly and shrink while they fill slowly;
// every copy is exact and independent of its neighbours.
func TestArenaBlockSize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ar arena
		msg := make([]byte, 100)
		fill := func() int { // copies until a new block starts; returns its size
			first := ar.cur
			for ar.cur == first {
				c, _ := ar.copy(msg)
				if len(c) != len(msg) || cap(c) != len(msg) {
					t.Fatalf("copy has len %d cap %d, want %d", len(c), cap(c), len(msg))
				}
			}
			return len(ar.cur.buf)
		}
		ar.copy(msg)
		if got := len(ar.cur.buf); got != arenaMinBlock {
			t.Fatalf("first block %d bytes, want %d", got, arenaMinBlock)
		}
		size := arenaMinBlock
		for size < arenaBlock { // filled at once: doubling up to the largest
			if got := fill(); got != 2*size {
				t.Fatalf("block after a quick fill: %d bytes, want %d", got, 2*size)
			}
			size *= 2
		}
		if got := fill(); got != arenaBlock {
			t.Fatalf("block after the largest: %d bytes, want %d", got, arenaBlock)
		}
		time.Sleep(arenaRefill) // virtual time: this block fills slowly
		if got := fill(); got != arenaBlock/2 {
			t.Fatalf("block after a slow fill: %d bytes, want %d", got, arenaBlock/2)
		}
		big, blk := ar.copy(make([]byte, largeMin+1))
		if cap(big) != largeMin+1 || blk == nil || blk == ar.cur {
			t.Errorf("a large copy has cap %d and block %p, want a block of its own", cap(big), blk)
		}
	})
}

// A block's count is its copies less those released, counted once the
// arena moves on, and it is recycled when that reaches zero: at the reset
// if every copy was released before, else at the last release.
func TestArenaBlockReferences(t *testing.T) {
	var ar arena
	_, blk := ar.copy([]byte("one"))
	_, blk2 := ar.copy([]byte("two"))
	if blk != blk2 || blk.refs.Load() != 0 || ar.cuts != 2 {
		t.Fatalf("two copies in one block: count %d, %d cut; want 0 and 2", blk.refs.Load(), ar.cuts)
	}
	blk.release(1)
	blk2.release(1)
	if got := blk.refs.Load(); got != -2 {
		t.Fatalf("both copies released while the arena fills the block: count %d, want -2", got)
	}
	ar.reset()
	if got := blk.refs.Load(); got != 0 {
		t.Fatalf("after the reset: count %d, want 0", got)
	}

	_, blk = ar.copy([]byte("three"))
	ar.reset()
	if got := blk.refs.Load(); got != 1 {
		t.Fatalf("one copy in use after the reset: count %d, want 1", got)
	}
	blk.release(1)
	if got := blk.refs.Load(); got != 0 {
		t.Fatalf("after the last release: count %d, want 0", got)
	}
}

// rewind starts the block over only when every copy cut from it was
// released, and the block's count stays right across rewinds: it is
// recycled at the last release after the arena moved on, not before.
func TestArenaRewind(t *testing.T) {
	var ar arena
	_, blk, _ := ar.copyAt([]byte("one"))
	live, _, _ := ar.copyAt([]byte("two"))
	blk.release(1)
	ar.rewind()
	if _, _, off := ar.copyAt([]byte("three")); off == 0 {
		t.Fatal("rewound over a copy in use")
	}
	if string(live) != "two" {
		t.Fatalf("a copy in use reads %q", live)
	}
	blk.release(2) // "two" and "three"
	ar.rewind()
	kept, _, off := ar.copyAt([]byte("four"))
	if off != 0 {
		t.Fatalf("every copy released, the next starts at %d, want 0", off)
	}
	ar.reset()
	if got := blk.refs.Load(); got != 1 {
		t.Fatalf("one copy in use after the reset: count %d, want 1", got)
	}
	if string(kept) != "four" {
		t.Fatalf("the copy in use reads %q", kept)
	}
	blk.release(1)
	if got := blk.refs.Load(); got != 0 {
		t.Fatalf("after the last release: count %d, want 0", got)
	}
}

// A copy still in use keeps its block out of the pool however many
// blocks around it are recycled and written again.
func TestArenaKeepsBlocksInUse(t *testing.T) {
	var ar arena
	keep, kept := ar.copy(bytes.Repeat([]byte{0xAA}, 500))
	junk := bytes.Repeat([]byte{0x55}, 1000)
	for range 10_000 {
		_, blk := ar.copy(junk)
		blk.release(1)
	}
	if !bytes.Equal(keep, bytes.Repeat([]byte{0xAA}, 500)) {
		t.Fatal("a copy in use was overwritten")
	}
	ar.reset()
	kept.release(1)
	if got := kept.refs.Load(); got != 0 {
		t.Fatalf("its block has %d references after the last release, want 0", got)
	}
}

// slabReleases releases a run of slices of one block at once, when a
// slice of another block comes or at flush, and ignores nil.
func TestSlabReleases(t *testing.T) {
	var ar arena
	_, a := ar.copy([]byte("one"))
	ar.copy([]byte("two"))
	ar.reset()
	_, b := ar.copy([]byte("three"))
	ar.reset()
	var rel slabReleases
	rel.add(a)
	rel.add(nil)
	rel.add(a)
	if got := a.refs.Load(); got != 2 {
		t.Fatalf("a run of one block released early: count %d, want 2", got)
	}
	rel.add(b)
	if got := a.refs.Load(); got != 0 {
		t.Fatalf("a slice of another block came: count %d, want 0", got)
	}
	rel.flush()
	if got := b.refs.Load(); got != 0 {
		t.Fatalf("after flush: count %d, want 0", got)
	}
	rel.flush() // nothing gathered: a no-op
}

// Large blocks come in sizes four to a doubling: the smallest that holds
// a copy wastes at most a fifth of it, and a block's own size maps back
// to its class.
func TestLargeClass(t *testing.T) {
	last := -1
	for n := largeMin + 1; n <= largeMax; n += 1 + n/64 {
		class, size := largeClass(n)
		if size < n || 5*(size-n) > size || class < 0 || class >= len(largePools) {
			t.Fatalf("%d bytes: class %d of %d bytes", n, class, size)
		}
		if class < last {
			t.Fatalf("%d bytes: class %d after %d", n, class, last)
		}
		last = class
		if c, s := largeClass(size); c != class || s != size {
			t.Fatalf("a block of %d bytes: class %d of %d, want %d", size, c, s, class)
		}
	}
	if class, size := largeClass(largeMax); class != len(largePools)-1 || size != largeMax {
		t.Fatalf("largest: class %d of %d bytes", class, size)
	}
}

// A large copy's block counts that copy alone, goes back to its pool at
// the release, and is never shared with another copy while in use; a
// copy longer than largeMax has its own array.
func TestArenaLargeCopies(t *testing.T) {
	var ar arena
	a, blkA := ar.copy(bytes.Repeat([]byte{1}, 20000))
	b, blkB := ar.copy(bytes.Repeat([]byte{2}, 20000))
	if blkA == nil || blkA == blkB || blkA.refs.Load() != 1 || len(a) != 20000 || cap(a) != 20000 {
		t.Fatalf("large copies: blocks %p %p, count %d, len %d cap %d", blkA, blkB, blkA.refs.Load(), len(a), cap(a))
	}
	if !bytes.Equal(a, bytes.Repeat([]byte{1}, 20000)) || !bytes.Equal(b, bytes.Repeat([]byte{2}, 20000)) {
		t.Fatal("a large copy differs")
	}
	blkA.release(1)
	if got := blkA.refs.Load(); got != 0 {
		t.Fatalf("released: count %d, want 0", got)
	}
	huge, blk := ar.copy(make([]byte, largeMax+1))
	if blk != nil || len(huge) != largeMax+1 {
		t.Fatalf("a copy beyond largeMax: block %p, len %d", blk, len(huge))
	}
}

// A released large block goes back to the pool that the next copy of
// its size takes blocks from.
func TestLargeBlocksRecycled(t *testing.T) {
	for _, n := range []int{largeMin + 1, 32000, arenaBlock, 100000} {
		var ar arena
		_, blk := ar.copy(make([]byte, n))
		blk.release(1)
		_, again := ar.copy(make([]byte, n))
		if again != blk && !testenv.RaceEnabled { // the race detector's pools drop some blocks at random
			t.Errorf("%d bytes: block %p released, the next copy took %p", n, blk, again)
		}
	}
}

// An association that sends one message at a time, each acknowledged
// before the next, writes every message where the first one was.
func TestSendArenaRewinds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		buf := make([]byte, 64)
		exchange := func(from, to *Association, msg string) {
			require.NoError(t, from.SendMsg(t.Context(), []byte(msg), SendInfo{}))
			n, _, err := to.RecvMsg(t.Context(), buf)
			require.NoError(t, err)
			require.Equal(t, msg, string(buf[:n]))
		}
		for range 20 {
			exchange(ca, sa, "request")
			exchange(sa, ca, "answer")
		}
		q := &ca.sendq
		q.mu.Lock()
		used := q.arena.used
		q.mu.Unlock()
		assert.LessOrEqual(t, used, 64, "the sender's arena moved on after acknowledged messages")
		require.NoError(t, ca.Close())
		<-sa.Done()
	})
}
