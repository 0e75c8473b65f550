package encap

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// reclaim replaces every Buffer the handler kept and no other, whether
// the read returned a prefix of the buffers or split them into a slice of
// its own; reset gives back the full buffers the read filled.
func TestReclaimKeptBuffers(t *testing.T) {
	r := newReadBuffers(4, 64, true)
	kept := func(b *Buffer) {
		t.Helper()
		assert.False(t, slices.Contains(r.shared, b), "a kept buffer is still read into")
		assert.Equal(t, int32(1), b.refs.Load(), "the reader did not let go of a kept buffer")
	}

	ds := r.reset()[:2] // a read of two datagrams
	ds[0].Data = ds[0].Data[:10]
	r.used(2)
	ds[1].Buffer.Retain()
	second := ds[1].Buffer
	others := slices.Clone(r.shared)
	r.reclaim()
	kept(second)
	assert.Same(t, others[0], r.shared[0], "a buffer nobody kept was replaced")

	ds = r.reset()
	assert.Len(t, ds[0].Data, 64, "reset left a filled buffer short")
	split := []Datagram{{Buffer: ds[1].Buffer}, {Buffer: ds[1].Buffer}} // a GRO read of 2 buffers, split
	r.used(2)
	split[1].Buffer.Retain()
	r.reclaim()
	kept(split[1].Buffer)
	assert.Len(t, r.shared, 4)
}
