package encap

import (
	"sync"
	"sync/atomic"
)

// Buffer is a reader's receive buffer: the datagrams of one coalesced read
// (UDP GRO), or one large datagram. A handler that wants to keep a
// datagram's Data past its return calls Retain on the datagram's Buffer
// before it returns, and Release when it is done with the data; the reader
// then reads into another buffer. This spares a copy per datagram: a GRO
// read carries up to 64 datagrams in one buffer, and a datagram of 64 KiB
// costs more to copy than a buffer to replace.
type Buffer struct {
	b []byte
	// refs counts the handler's Retains not yet released, plus one while
	// the reader owns the buffer.
	refs atomic.Int32
}

// Retain keeps b for the caller until a Release. Call it only from the
// handler that received b, before it returns.
func (b *Buffer) Retain() { b.refs.Add(1) }

// Release ends a Retain. The last one recycles the buffer.
func (b *Buffer) Release() {
	if b.refs.Add(-1) == 0 {
		bufferPool.Put(b)
	}
}

// Size is the memory b holds, however short the datagrams in it: what a
// handler that keeps b holds on to.
func (b *Buffer) Size() int { return len(b.b) }

// Bytes is the whole of b, for a source of datagrams other than a reader
// (a simulated network, a test) to fill.
func (b *Buffer) Bytes() []byte { return b.b }

// bufferPool recycles the Buffers that handlers kept and released.
var bufferPool sync.Pool

// NewBuffer returns a buffer of size bytes, with the one reference of its
// owner (a reader), who calls Release when done with it.
func NewBuffer(size int) *Buffer {
	b, _ := bufferPool.Get().(*Buffer)
	if b == nil || cap(b.b) < size {
		b = &Buffer{b: make([]byte, size)}
	}
	b.b = b.b[:size:size]
	b.refs.Store(1)
	return b
}

// minLentAlone is the smallest datagram that a reader lends its buffer
// for when the datagram is alone in it. A handler that keeps a Buffer
// holds all of it (64 KiB by default) however little the datagram is, and
// a small one is cheaper to copy than to replace a buffer for: a peer
// sending small datagrams must not make a handler pin 64 KiB for each.
const minLentAlone = 2048

// lendAlone decides whether d, alone in its buffer, carries its Buffer.
func lendAlone(d *Datagram) {
	if len(d.Data) < minLentAlone {
		d.Buffer = nil
	}
}
