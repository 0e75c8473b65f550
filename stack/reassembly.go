package stack

import (
	"sort"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Received user data goes through two stages. Assembly joins the fragments
// of a message: with DATA they carry consecutive TSNs (RFC 9260 section
// 6.9), with I-DATA they share a message identifier and count up by
// fragment sequence number (RFC 8260). Ordering then releases complete
// ordered messages by stream sequence number (or message identifier);
// unordered ones go out at once. A single-fragment message in sequence, the
// common case, skips both queues.

// frag is one received DATA or I-DATA chunk.
type frag struct {
	tsn   uint32
	sid   uint16
	mid   uint32 // SSN for DATA, MID for I-DATA
	fsn   uint32 // I-DATA fragment sequence number
	ppid  uint32
	flags wire.DataFlags
	data  []byte
	blk   *slab  // holds data
	off   int    // where data starts in blk
	key   keyTag // what authenticated the chunk
}

func (f *frag) unordered() bool { return f.flags.Has(wire.FlagUnordered) }

// Message is a complete user message received from the peer.
type Message struct {
	Data      []byte
	Stream    uint16
	PPID      uint32
	Unordered bool
	key       keyTag // what authenticated every chunk of the message
	// streamEnd marks, in RecvMsg's queue, the stream's last message
	// before the peer reset it: a Stream opened later on it reads io.EOF
	// after this message (see markStreamEnds).
	streamEnd bool
	blk       *slab // holds Data: released when the message has been read
}

// inStream is the ordering state of one inbound stream. An association
// has one per inbound stream, idle or not, so it is kept small: the
// messages that wait for earlier ones, which are rare, are kept apart in
// reassembler.pending.
type inStream struct {
	next uint32 // next SSN (DATA, compared in 16 bits) or MID expected
}

// pendingMsg is a complete ordered message with its SSN or MID.
type pendingMsg struct {
	seq uint32
	Message
}

// reassembler turns received chunks into messages.
type reassembler struct {
	idata   bool
	frags   []frag // incomplete messages, sorted (see less)
	streams []inStream
	// pending holds, per stream, complete ordered messages waiting for
	// earlier ones, by sequence; made on first use.
	pending map[uint16][]pendingMsg
	held    int    // bytes held here: user data plus rxChunkOverhead per chunk or message
	arena   *arena // assembled messages are copied here
	// out receives the complete messages in sequence. Chunks and messages
	// pass by pointer on their way there, and out is a slice rather than
	// a function, which a pointer would escape through: they are big
	// enough that copying them from call to call was a sixth of the CPU
	// time of a stream of 1-byte messages.
	out *[]Message
}

func newReassembler(inStreams uint16, idata bool, ar *arena, out *[]Message) *reassembler {
	return &reassembler{idata: idata, streams: make([]inStream, inStreams), arena: ar, out: out}
}

// deliver appends m to the messages delivered.
func (r *reassembler) deliver(m *Message) { *r.out = append(*r.out, *m) }

// add takes a new (not duplicate) chunk whose data the caller has copied
// out of the packet buffer or kept there (Association.hold).
func (r *reassembler) add(f *frag) {
	if f.flags.Has(wire.FlagBegin|wire.FlagEnd) && (!r.idata || f.fsn == 0) {
		r.complete(f.sid, f.mid, f.unordered(), &Message{Data: f.data, Stream: f.sid, PPID: f.ppid, Unordered: f.unordered(), key: f.key, blk: f.blk})
		return
	}
	i := sort.Search(len(r.frags), func(i int) bool { return !r.less(&r.frags[i], f) })
	r.frags = append(r.frags, frag{})
	copy(r.frags[i+1:], r.frags[i:])
	r.frags[i] = *f
	r.held += rxCost(len(f.data))
	r.tryAssemble(i)
}

// less orders fragments so that each message's fragments are adjacent and
// in sequence.
func (r *reassembler) less(a, b *frag) bool {
	if !r.idata {
		return serial.Less32(a.tsn, b.tsn)
	}
	if a.sid != b.sid {
		return a.sid < b.sid
	}
	if a.unordered() != b.unordered() {
		return !a.unordered()
	}
	if a.mid != b.mid {
		return serial.Less32(a.mid, b.mid)
	}
	return a.fsn < b.fsn
}

// follows reports whether b is the fragment right after a in one message.
func (r *reassembler) follows(a, b *frag) bool {
	if a.flags.Has(wire.FlagEnd) || b.flags.Has(wire.FlagBegin) || a.sid != b.sid {
		return false
	}
	if !r.idata {
		return b.tsn == a.tsn+1
	}
	return a.mid == b.mid && a.unordered() == b.unordered() && b.fsn == a.fsn+1
}

// tryAssemble checks whether the fragment at i completed its message.
func (r *reassembler) tryAssemble(i int) {
	first := i
	for first > 0 && !r.frags[first].flags.Has(wire.FlagBegin) && r.follows(&r.frags[first-1], &r.frags[first]) {
		first--
	}
	if !r.frags[first].flags.Has(wire.FlagBegin) {
		return
	}
	last := i
	for !r.frags[last].flags.Has(wire.FlagEnd) {
		if last+1 == len(r.frags) || !r.follows(&r.frags[last], &r.frags[last+1]) {
			return
		}
		last++
	}
	size, key := 0, r.frags[first].key
	for _, f := range r.frags[first : last+1] {
		size += len(f.data)
		key = key.join(f.key)
	}
	data, blk := r.join(r.frags[first:last+1], size)
	head := r.frags[first]
	r.frags = shrink(append(r.frags[:first], r.frags[last+1:]...))
	r.held -= size + (last+1-first)*rxChunkOverhead
	r.complete(head.sid, head.mid, head.unordered(), &Message{Data: data, Stream: head.sid, PPID: head.ppid, Unordered: head.unordered(), key: key, blk: blk})
}

// join returns the data of a message's fragments, size bytes, in one
// slice, and the block that holds it. Fragments that arrived in order were copied back
// to back into one block, and their bytes there are the message; others
// are copied together. The fragments' blocks are released but for what
// the message keeps.
func (r *reassembler) join(fs []frag, size int) ([]byte, *slab) {
	if data, ok := adjacent(fs); ok {
		fs[0].blk.release(int32(len(fs) - 1))
		return data, fs[0].blk
	}
	data, blk, _ := r.arena.alloc(size)
	var held *slab // the fragments' blocks, released a run at a time
	var n int32
	for _, f := range fs {
		data = append(data, f.data...)
		if f.blk != held {
			held.release(n)
			held, n = f.blk, 0
		}
		n++
	}
	held.release(n)
	return data, blk
}

// adjacent returns the bytes of fs as one slice of their block if they
// lie back to back in one. Fragments kept in their packet's buffer never
// do: chunk headers lie between them.
func adjacent(fs []frag) ([]byte, bool) {
	blk, end := fs[0].blk, fs[0].off
	for _, f := range fs {
		if blk == nil || blk.kept != nil || f.blk != blk || f.off != end {
			return nil, false
		}
		end += len(f.data)
	}
	return blk.buf[fs[0].off:end:end], true
}

// complete hands a whole message to ordering.
func (r *reassembler) complete(sid uint16, seq uint32, unordered bool, m *Message) {
	if unordered {
		r.deliver(m)
		return
	}
	s := &r.streams[sid]
	if r.seqEqual(seq, s.next) {
		r.deliver(m)
		s.next++
		r.releasePending(sid)
		return
	}
	if r.pending == nil {
		r.pending = make(map[uint16][]pendingMsg)
	}
	q := r.pending[sid]
	i := sort.Search(len(q), func(i int) bool { return !r.seqLess(q[i].seq, seq) })
	q = append(q, pendingMsg{})
	copy(q[i+1:], q[i:])
	q[i] = pendingMsg{seq, *m}
	r.pending[sid] = q
	r.held += rxCost(len(m.Data))
}

// releasePending delivers the queued messages of stream sid that are now
// in sequence.
func (r *reassembler) releasePending(sid uint16) {
	q := r.pending[sid]
	s := &r.streams[sid]
	n := 0
	for n < len(q) && r.seqEqual(q[n].seq, s.next) {
		r.held -= rxCost(len(q[n].Data))
		r.deliver(&q[n].Message)
		s.next++
		n++
	}
	r.dropFirst(sid, q, n)
}

// dropFirst removes the first n of q, the pending messages of stream sid,
// which were delivered.
func (r *reassembler) dropFirst(sid uint16, q []pendingMsg, n int) {
	switch {
	case n == 0:
	case n == len(q):
		clear(q)
		delete(r.pending, sid)
	default:
		kept := append(q[:0], q[n:]...)
		clear(q[len(kept):])
		r.pending[sid] = kept
	}
}

// SSNs are 16-bit on the wire; MIDs are 32-bit.
func (r *reassembler) seqEqual(a, b uint32) bool {
	if r.idata {
		return a == b
	}
	return uint16(a) == uint16(b)
}

func (r *reassembler) seqLess(a, b uint32) bool {
	if r.idata {
		return serial.Less32(a, b)
	}
	return serial.Less16(uint16(a), uint16(b))
}

// forwardTSN drops the fragments a FORWARD-TSN abandons (all TSNs up to
// cum) and skips ordered streams past the sequence numbers it lists (RFC
// 3758 section 3.6).
func (r *reassembler) forwardTSN(cum uint32, skips []wire.StreamSSN) {
	r.dropFrags(func(f *frag) bool { return serial.LessEq32(f.tsn, cum) })
	for _, sk := range skips {
		r.skipStream(sk.Stream, uint32(sk.SSN))
	}
}

// iForwardTSN is forwardTSN for I-FORWARD-TSN (RFC 8260 section 3.3):
// fragments are abandoned per stream and message identifier.
func (r *reassembler) iForwardTSN(skips []wire.StreamMID) {
	for _, sk := range skips {
		r.dropFrags(func(f *frag) bool {
			return f.sid == sk.Stream && f.unordered() == sk.Unordered && serial.LessEq32(f.mid, sk.MID)
		})
		if !sk.Unordered {
			r.skipStream(sk.Stream, sk.MID)
		}
	}
}

func (r *reassembler) dropFrags(abandoned func(*frag) bool) {
	kept := r.frags[:0]
	for _, f := range r.frags {
		if abandoned(&f) {
			r.held -= rxCost(len(f.data))
			f.blk.release(1)
			continue
		}
		kept = append(kept, f)
	}
	clear(r.frags[len(kept):])
	r.frags = shrink(kept)
}

// drop releases the fragments and the messages waiting for earlier ones,
// which will never be delivered: the association has ended, or the peer
// restarted it. Kept in their packets' buffers, they would otherwise hold
// those buffers, and the association's count of them, for as long as the
// association is referenced.
func (r *reassembler) drop() {
	for i := range r.frags {
		r.frags[i].blk.release(1)
	}
	for _, q := range r.pending {
		for i := range q {
			q[i].blk.release(1)
		}
	}
	r.frags, r.pending, r.held = nil, nil, 0
}

// skipStream moves an ordered stream past seq and delivers what follows.
func (r *reassembler) skipStream(sid uint16, seq uint32) {
	if int(sid) >= len(r.streams) {
		return
	}
	s := &r.streams[sid]
	if r.seqLess(seq, s.next) {
		return
	}
	// Complete messages queued behind an abandoned one were received in
	// full: they go up, in order, before the stream moves on.
	q := r.pending[sid]
	n := 0
	for n < len(q) && !r.seqLess(seq, q[n].seq) {
		r.held -= rxCost(len(q[n].Data))
		r.deliver(&q[n].Message)
		n++
	}
	r.dropFirst(sid, q, n)
	s.next = seq + 1
	r.releasePending(sid)
}
