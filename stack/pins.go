package stack

import (
	"sync"
	"sync/atomic"

	"github.com/mobisctp/mobisctp/encap"
)

// pins lets received DATA chunks stay in the buffer the transport lent
// for their packet (encap.Buffer: a large datagram, a coalesced read)
// until the application has read them, instead of being copied into the
// receiver's arena: at 8000-byte messages that copy was a sixth of the
// receiving process's CPU time.
//
// A stand-in slab holds the buffer for the chunks kept from one packet
// and counts them as an arena block counts its slices, so that messages
// release it the way they release an arena block. The last release gives
// the buffer back.
//
// A kept buffer is held whole (64 KiB) however little of it the unread
// chunks use, and which chunks stay unread is up to the peer and the
// application (a gap never filled, a stream never read): the bytes an
// association holds this way are limited, and beyond the limit chunks
// are copied as before.
type pins struct {
	held  atomic.Int64 // bytes of the buffers stand-ins hold; readers take away
	limit int64
	cur   *slab // the stand-in for the packet being processed, if any
	cuts  int32 // chunks kept from cur's packet
}

// pinLimit is how many bytes of packet buffers an association with a
// receive buffer of buf bytes holds at most: twice its receive buffer, so
// that a peer filling the window with full packets is never copied, while
// the memory an association can be made to hold stays within a small
// multiple of what it advertises.
func pinLimit(buf int) int64 { return 2 * int64(buf) }

// standIns recycles stand-in slabs: one per received packet with DATA.
var standIns sync.Pool

// keep returns the stand-in that holds buf, the buffer of the packet being
// processed, for one more chunk of it, or nil if the association holds as
// much as it may: then the caller copies the chunk.
func (p *pins) keep(buf *encap.Buffer) *slab {
	if p.cur == nil {
		size := int64(buf.Size())
		if p.held.Load()+size > p.limit {
			return nil
		}
		p.held.Add(size)
		buf.Retain()
		s, _ := standIns.Get().(*slab)
		if s == nil {
			s = new(slab)
		}
		s.kept, s.pins = buf, p
		p.cur = s
	}
	p.cuts++
	return p.cur
}

// done ends the packet being processed: its stand-in now counts the
// chunks kept, and is recycled at once if they were all released already.
func (p *pins) done() {
	if p.cur != nil && p.cur.refs.Add(p.cuts) == 0 {
		p.cur.recycle()
	}
	p.cur, p.cuts = nil, 0
}

// unpin gives back the buffer of stand-in s, whose chunks have all been
// released, and recycles s.
func (s *slab) unpin() {
	s.pins.held.Add(-int64(s.kept.Size()))
	s.kept.Release()
	s.kept, s.pins = nil, nil
	standIns.Put(s)
}
