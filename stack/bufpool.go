package stack

import (
	"sync"

	"github.com/mobisctp/mobisctp/encap"
)

// bufPool recycles the buffers received packets are copied into before
// they go to an association's loop: one size class for packets up to an
// Ethernet MTU, another for anything larger that the transport does not
// lend its buffer for.
type bufPool struct {
	small, large sync.Pool
}

const (
	smallBuf = 2048
	largeBuf = 64 << 10
)

// rxBuf holds the bytes of a received packet until its association's
// loop is done with it: a pooled copy, or the transport's buffer where it
// lends one (a coalesced read, a large datagram), kept instead of copied.
type rxBuf struct {
	copied *[]byte
	kept   *encap.Buffer
}

// hold returns d's bytes and what holds them for the loop: d's Buffer if
// it has one, else a pooled copy.
func (p *bufPool) hold(d *encap.Datagram) ([]byte, rxBuf) {
	if d.Buffer != nil {
		d.Buffer.Retain()
		return d.Data, rxBuf{kept: d.Buffer}
	}
	b := p.get(len(d.Data))
	return (*b)[:copy(*b, d.Data)], rxBuf{copied: b}
}

// get returns a buffer of at least n bytes.
func (p *bufPool) get(n int) *[]byte {
	pool, size := &p.small, smallBuf
	if n > smallBuf {
		pool, size = &p.large, largeBuf
	}
	if b, ok := pool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, size)
	return &b
}

// put recycles what hold returned.
func (p *bufPool) put(b rxBuf) {
	switch {
	case b.kept != nil:
		b.kept.Release()
	case b.copied == nil:
	case cap(*b.copied) > smallBuf:
		p.large.Put(b.copied)
	default:
		p.small.Put(b.copied)
	}
}
