package stack

import (
	"testing"
	"time"
	"unsafe"
)

func TestChunkRing(t *testing.T) {
	var r chunkRing
	base := uint32(0xFFFFFFF0) // wraps inside the test
	for i := range uint32(200) {
		c := r.push(base + i)
		if c.tsn != 0 || c.sends != 0 || c.blk != nil || c.data != nil {
			t.Fatalf("push(%d) returned a used slot: %+v", base+i, *c)
		}
		c.tsn, c.sends, c.data = base+i, 1, []byte{1}
		if i%3 == 2 {
			if got := r.at(r.first).tsn; got != r.first {
				t.Fatalf("front tsn %d, want %d", got, r.first)
			}
			var rel slabReleases
			r.popFront(&rel)
			rel.flush()
		}
	}
	if r.len() != 200-66 {
		t.Fatalf("len %d", r.len())
	}
	for tsn := r.first; tsn != base+200; tsn++ {
		if c := r.at(tsn); c == nil || c.tsn != tsn {
			t.Fatalf("at(%d) = %v", tsn, c)
		}
	}
	if r.at(base+200) != nil || r.at(r.first-1) != nil {
		t.Error("at() outside the ring returned a chunk")
	}
}

// TestOutChunkSize keeps outChunk at 80 bytes: a bulk sender touches
// every byte of a ring slot at memory speed for every chunk it sends.
func TestOutChunkSize(t *testing.T) {
	if n := unsafe.Sizeof(outChunk{}); n > 80 {
		t.Errorf("outChunk is %d bytes, want at most 80", n)
	}
}

// TestChunkLifeEnd checks the PR-SCTP deadline a chunk keeps as an offset
// from the sender's epoch, including one that ran out before the epoch.
func TestChunkLifeEnd(t *testing.T) {
	epoch := time.Now()
	for _, tc := range []struct {
		name     string
		deadline time.Time
		at       time.Duration // after the epoch
		want     bool
	}{
		{"reliable", time.Time{}, time.Hour, false},
		{"at its end", epoch.Add(time.Second), time.Second, false},
		{"after its end", epoch.Add(time.Second), time.Second + 1, true},
		{"ended at the epoch", epoch, 1, true},
		{"ended before the epoch", epoch.Add(-time.Second), 0, true},
	} {
		a := &Association{}
		a.tx.init(epoch, 1, 1, 1<<20, false, true)
		a.tx.queue.take(&[]outMsg{{data: []byte{1}, deadline: tc.deadline}})
		c := a.nextFragment(a.tx.queue.front(), 1000)
		if got := a.tx.expired(c, epoch.Add(tc.at)); got != tc.want {
			t.Errorf("%s: expired %v at epoch+%v, want %v", tc.name, got, tc.at, tc.want)
		}
	}
}
