package stack

import (
	"bytes"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Fragments that arrive in order lie back to back in the arena, and the
// message is their bytes there, not a copy; fragments out of order are
// copied together. Either way the message is whole, and once it is read
// every block's count returns to zero.
func TestReassemblyJoinsInPlace(t *testing.T) {
	parts := [][]byte{bytes.Repeat([]byte{1}, 300), bytes.Repeat([]byte{2}, 300), bytes.Repeat([]byte{3}, 100)}
	whole := bytes.Join(parts, nil)
	for _, tc := range []struct {
		name    string
		order   []int
		inPlace bool
	}{{"in order", []int{0, 1, 2}, true}, {"out of order", []int{2, 0, 1}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var ar arena
			var got []Message
			r := newReassembler(1, false, &ar, &got)
			var first frag
			for _, i := range tc.order {
				f := frag{tsn: 100 + uint32(i)}
				switch i {
				case 0:
					f.flags = wire.FlagBegin
				case len(parts) - 1:
					f.flags = wire.FlagEnd
				}
				f.data, f.blk, f.off = ar.copyAt(parts[i])
				if i == 0 {
					first = f
				}
				r.add(&f)
			}
			if len(got) != 1 || !bytes.Equal(got[0].Data, whole) {
				t.Fatalf("%d messages, the first %d bytes; want one of the %d sent", len(got), len(got[0].Data), len(whole))
			}
			if sameStart := &got[0].Data[0] == &first.data[0]; sameStart != tc.inPlace {
				t.Errorf("message in the fragments' place: %v, want %v", sameStart, tc.inPlace)
			}
			blocks := []*slab{first.blk, got[0].blk}
			ar.reset()
			got[0].blk.release(1) // read
			for _, b := range blocks {
				if n := b.refs.Load(); n != 0 {
					t.Errorf("a block's count is %d after the message was read, want 0", n)
				}
			}
		})
	}
}
