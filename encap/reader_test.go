package encap

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// reclaim replaces every Buffer the handler kept and no other, whether
// the read filled a prefix of the slots or split its datagrams into a
// slice of its own.
func TestReclaimKeptBuffers(t *testing.T) {
	r := newReadBuffers(4, 64, true)
	kept := func(b *Buffer) {
		t.Helper()
		assert.False(t, slices.Contains(r.shared, b), "a kept buffer is still read into")
		assert.Equal(t, int32(1), b.refs.Load(), "the reader did not let go of a kept buffer")
	}

	ds := r.reset()[:2] // a read of two datagrams
	r.used(ds)
	ds[1].Buffer.Retain()
	second := ds[1].Buffer
	others := slices.Clone(r.shared)
	r.reclaim()
	kept(second)
	assert.Same(t, others[0], r.shared[0], "a buffer nobody kept was replaced")

	split := []Datagram{{Buffer: r.reset()[3].Buffer}} // coalesced datagrams split apart
	r.used(split)
	split[0].Buffer.Retain()
	r.reclaim()
	kept(split[0].Buffer)
	assert.Len(t, r.shared, 4)
}
