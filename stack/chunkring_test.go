package stack

import "testing"

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
