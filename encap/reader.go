package encap

import (
	"errors"
	"net"
)

// coalescedBufferSize is the room for one read from a socket with UDP GRO
// on: the kernel coalesces at most 64 KiB of datagrams (a UDP length is 16
// bits), and a shorter buffer would cut off the last ones.
const coalescedBufferSize = 1 << 16

// readLoop hands the socket's datagrams to the handler, one batch per
// read, until the socket is closed.
func (t *Transport) readLoop(s *socket) {
	defer close(s.done)
	bufs := newReadBuffers(s.shape.batch, t.readBufferSize(s), s.shape.lends)
	got := func(ds []Datagram, filled int) bool {
		bufs.used(filled)
		t.deliver(s, ds)
		bufs.reclaim()
		return true
	}
	for {
		err := s.io.readEach(bufs.reset, got)
		if s.closing.Load() || errors.Is(err, net.ErrClosed) {
			return
		}
		// UDP read errors are transient (ICMP-induced errors on some
		// systems); the socket stays usable.
		t.stats.readErrors.Add(1)
		t.readErrors(s, err) // an ICMP error the kernel reported (IP_RECVERR)
		t.cfg.Logger.Debugf("read on %v: %v", s.local, err)
	}
}

// readBufferSize is the size of each of s's receive buffers: one byte more
// than MaxDatagram, so that a longer datagram fills it and shows as too
// long, but enough for a coalesced read where there can be one. Then the
// datagrams split out of it are checked one by one.
func (t *Transport) readBufferSize(s *socket) int {
	if s.shape.coalesced {
		return max(t.cfg.MaxDatagram+1, coalescedBufferSize)
	}
	return t.cfg.MaxDatagram + 1
}

// deliver drops datagrams longer than MaxDatagram (buffers are longer, so
// they show) and hands the rest to the handler.
func (t *Transport) deliver(s *socket, ds []Datagram) {
	t.stats.readBatches.Add(1)
	kept, bytes := ds[:0], 0
	for _, d := range ds {
		if len(d.Data) > t.cfg.MaxDatagram {
			continue
		}
		d.Local = s.local
		kept = append(kept, d)
		bytes += len(d.Data)
	}
	if dropped := len(ds) - len(kept); dropped > 0 {
		t.stats.truncated.Add(uint64(dropped))
	}
	if len(kept) == 0 {
		return
	}
	t.stats.recv.Add(uint64(len(kept)))
	t.stats.bytesRecv.Add(uint64(bytes))
	t.tapReceived(kept)
	t.handler(kept)
}

// readBuffers are a reader's receive buffers: n equal slots, reused by
// every read, so steady-state reads allocate nothing here.
type readBuffers struct {
	slots  [][]byte
	shared []*Buffer // if the reader lends them, the Buffer of each slot
	ds     []Datagram
	dirty  int // ds[:dirty] may have been changed since the last reset
}

// newReadBuffers returns n slots of size bytes: with lend, each a Buffer
// of its own, which the handler may keep (see Buffer); else one block cut
// into slots.
func newReadBuffers(n, size int, lend bool) *readBuffers {
	r := &readBuffers{slots: make([][]byte, n), ds: make([]Datagram, n), dirty: n}
	if lend {
		r.shared = make([]*Buffer, n)
		for i := range r.slots {
			r.shared[i] = NewBuffer(size)
			r.slots[i] = r.shared[i].b
		}
		return r
	}
	block := make([]byte, n*size)
	for i := range r.slots {
		r.slots[i] = block[i*size : (i+1)*size : (i+1)*size]
	}
	return r
}

// reset returns the datagrams for the next read, each holding a whole slot.
// The read and the handler may have resliced or overwritten them.
func (r *readBuffers) reset() []Datagram {
	for i := range r.dirty {
		r.ds[i] = Datagram{Data: r.slots[i]}
		if r.shared != nil {
			r.ds[i].Buffer = r.shared[i]
		}
	}
	r.dirty = len(r.ds) // until used says less
	return r.ds
}

// used records that a read filled the first n buffers: the read and the
// handler changed only those datagrams (or a slice of the read's own that
// split them), the handler can have kept only their Buffers, and the next
// reset restores only them. A read often brings one datagram of a batch
// of 64.
func (r *readBuffers) used(n int) { r.dirty = n }

// reclaim replaces the shared buffers that the handler kept with others.
// Only those the last read filled can have been kept: the others'
// Buffers, 63 cold cache lines after a read of one datagram, are not
// looked at.
func (r *readBuffers) reclaim() {
	if r.shared == nil {
		return
	}
	for i, b := range r.shared[:r.dirty] {
		if b.refs.Load() == 1 {
			continue // only the reader has it: the handler has returned
		}
		b.Release()
		r.shared[i] = NewBuffer(len(r.slots[i]))
		r.slots[i] = r.shared[i].b
		r.dirty = max(r.dirty, i+1)
	}
}
