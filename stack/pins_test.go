package stack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
)

// TestPinsLimit: an association keeps chunks in their packets' buffers
// until the buffers it holds reach twice its receive buffer; then the
// next packet's chunks are copied, and buffers count again once every
// chunk kept in them is released.
func TestPinsLimit(t *testing.T) {
	const size = 64 << 10
	p := pins{limit: pinLimit(size)} // room for two buffers
	first := p.keep(encap.NewBuffer(size))
	require.NotNil(t, first)
	require.Same(t, first, p.keep(first.kept), "the packet's second chunk")
	p.done()
	second := p.keep(encap.NewBuffer(size))
	require.NotNil(t, second)
	p.done()
	assert.Nil(t, p.keep(encap.NewBuffer(size)), "a third buffer: over the limit, copied")
	p.done()
	assert.EqualValues(t, 2*size, p.held.Load())

	first.release(1)
	assert.EqualValues(t, 2*size, p.held.Load(), "one chunk of the first packet still unread")
	first.release(1)
	assert.EqualValues(t, size, p.held.Load(), "the first buffer given back")
	assert.NotNil(t, p.keep(encap.NewBuffer(size)), "room again")
	p.done()
}

// TestPinsReleasedBeforeDone: chunks released while their packet is
// still being processed (a FORWARD-TSN later in the packet dropping them)
// give the buffer back when the packet ends.
func TestPinsReleasedBeforeDone(t *testing.T) {
	p := pins{limit: pinLimit(64 << 10)}
	s := p.keep(encap.NewBuffer(1000))
	s.release(1)
	assert.EqualValues(t, 1000, p.held.Load(), "held until the packet ends")
	p.done()
	assert.Zero(t, p.held.Load())
}
