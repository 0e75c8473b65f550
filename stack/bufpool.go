package stack

import "sync"

// bufPool recycles the buffers received packets are copied into before
// they go to an association's loop: one size class for packets up to an
// Ethernet MTU, another for anything larger.
type bufPool struct {
	small, large sync.Pool
}

const (
	smallBuf = 2048
	largeBuf = 64 << 10
)

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

// put recycles a buffer from get.
func (p *bufPool) put(b *[]byte) {
	if b == nil {
		return
	}
	if cap(*b) > smallBuf {
		p.large.Put(b)
	} else {
		p.small.Put(b)
	}
}
