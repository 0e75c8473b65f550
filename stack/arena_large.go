package stack

import (
	"math/bits"
	"sync"
)

// A copy longer than largeMin, an eighth of the largest arena block, gets
// a block of its own. Allocated afresh for each message, as they once
// were, such blocks cost the allocator's zeroing and the collector's
// scanning of about every byte sent: with 32000-byte messages between two
// processes, a quarter of the sender's CPU (memclr 15%, GC 8%), and 0.41
// CPU s/GB where 8000-byte messages, copied into arena blocks, took 0.24.
// They are recycled as arena blocks are, through pools of sizes
// largeSteps to a doubling (those of an arena block's size share its
// pool), so a block wastes at most a fifth of itself.
// Copies longer than largeMax still get their own array.
const (
	largeMin       = arenaBlock / 8
	largeMinLog    = 13 // log2(largeMin)
	largeMax       = 16 << 20
	largeDoublings = 11 // from largeMin to largeMax
	largeSteps     = 4  // sizes per doubling
)

// The constants above agree: these fail to compile otherwise.
const (
	_ = uint(largeMin - 1<<largeMinLog)
	_ = uint(1<<largeMinLog - largeMin)
	_ = uint(largeMax - largeMin<<largeDoublings)
	_ = uint(largeMin<<largeDoublings - largeMax)
)

// largePools hold free large blocks by class (largeClass).
var largePools [largeDoublings * largeSteps]sync.Pool

// largeClass returns the class of the smallest large block that holds n
// bytes, largeMin < n <= largeMax, and that block's size.
func largeClass(n int) (class, size int) {
	e := bits.Len(uint(n-1)) - 1 // 2^e < n <= 2^(e+1)
	step := (1 << e) / largeSteps
	k := (n - 1<<e + step - 1) / step // 1 to largeSteps
	return (e-largeMinLog)*largeSteps + k - 1, 1<<e + k*step
}

// takeLarge returns a block of its own for a copy of n bytes, largeMin <
// n <= largeMax, counting that one copy.
func takeLarge(n int) *slab {
	_, size := largeClass(n)
	blk := takeSlab(size)
	blk.refs.Store(1)
	return blk
}
