package stack

import (
	"testing"
	"testing/synctest"
	"time"
	"unsafe"
)

// Blocks grow while they fill quickly and shrink while they fill slowly;
// every copy is exact and independent of its neighbours.
func TestArenaBlockSize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ar arena
		msg := make([]byte, 100)
		fill := func() int { // copies until a new block starts; returns its size
			first := unsafe.SliceData(ar.block)
			for unsafe.SliceData(ar.block) == first {
				c := ar.copy(msg)
				if len(c) != len(msg) || cap(c) != len(msg) {
					t.Fatalf("copy has len %d cap %d, want %d", len(c), cap(c), len(msg))
				}
			}
			return cap(ar.block)
		}
		ar.copy(msg)
		if got := cap(ar.block); got != arenaMinBlock {
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
		big := ar.copy(make([]byte, arenaBlock/8+1))
		if cap(big) != arenaBlock/8+1 {
			t.Errorf("a large copy has cap %d", cap(big))
		}
	})
}
