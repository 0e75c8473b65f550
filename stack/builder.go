package stack

import (
	"net/netip"
	"unsafe"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/crc32c"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// maxBatch is the most packets one SendBatch carries.
const maxBatch = 64

// maxBatchBytes is about the most bytes one SendBatch carries: a batch
// ends with the first packet that reaches it. 64 packets of 64 KiB (4 MiB
// in two system calls) went to the kernel from memory that had long left
// the cache: batches of 256 KiB took 7% less CPU per byte between two
// processes on loopback, 8000-byte messages, and ran up to a third faster.
// Packets of an Ethernet's size still go 64 at a time.
const maxBatchBytes = 256 << 10

// areaSize is the size of the blocks a builder lays its packets out in:
// room for a 64 KiB GSO run of packets and then some. A builder starts
// with a small one, which is all that flushes of a packet or two (a
// request, an answer, a SACK) need, and trades it for a large one once a
// batch outgrows it.
const (
	areaSize  = 96 << 10
	firstArea = 8 << 10
)

// minPiece is the smallest DATA payload that a packet sends from where it
// lies, the send buffer, as a piece of its own (encap.Datagram.Rest),
// instead of a copy. The kernel copies the payload into its buffer either
// way; a piece saves our copy (about 11 ns per KB) but costs more per
// piece: the kernel's copy slows down with every iovec, and CRC32c starts
// over at each piece unless SendMsg computed it (payloadLayout). Measured
// building 64 KiB packets of DATA and sending them on loopback, with
// hash/crc32: pieces of 1000 and 4000 bytes took 20-50% more time than
// copies, 8000 about the same, 16000 and more less. In process, both
// ends, 8000-byte messages took 4-5% less CPU per byte in pieces,
// 1000-byte ones no less. Measured again with the AVX-512 CRC32c and its
// CRCs from SendMsg: pieces from 512 bytes on took 1000-byte messages
// between two processes from 20.4-22.6 down to 18.7-19.7 Gbit/s. Chunks that large come only where they
// may fill a PMTU above 4 KiB, on a path to this host or with PMTUFixed;
// elsewhere they keep to the base size (chunkRoom). With at most 15
// payloads of 4 KiB in a 64 KiB packet, it has far fewer pieces than the
// 1024 iovecs Linux takes.
const minPiece = 4096

// payloadLayout is how SendMsg laid a message out in the send buffer, which
// decides how its chunk leaves (see addPayload and addFrame).
type payloadLayout struct {
	crc  uint32 // of the message, if summed
	form payloadForm
	room uint8 // the header room ahead of it, if framed
}

// payloadForm is the layout of a message in the send buffer.
type payloadForm uint8

const (
	// payloadCopied: the builder copies the payload into the packet.
	payloadCopied payloadForm = iota
	// payloadSummed: the payload goes as a piece of its own, and SendMsg
	// computed its CRC32c in the same pass as its copy into the send
	// buffer (crc32c.CopyUpdate). The packet's CRC combines it
	// (wire.SetChecksumPieces) instead of reading the piece again from
	// the send buffer, where, in a bulk transfer, it has long left the
	// cache: that CRC ran at the speed of memory, 12.8% of a sender's CPU
	// with 8000-byte messages on loopback, and the sender's CPU per byte
	// fell by 13% without it. The CRC is of the copy's bytes as they were
	// stored, so it holds even if the caller changes its buffer during
	// the call.
	payloadSummed
	// payloadFramed: SendMsg left room for the chunk's header before the
	// payload and wrote its padding after it, so that the chunk goes
	// whole from the send buffer, its header written in place (see
	// addFrame). The frames of messages queued one after another lie
	// back to back, and a packet of them is one piece.
	payloadFramed
)

// copyMessage copies message p into the arena, as SendMsg does, and
// returns the copy with its layout. A message that goes in one chunk of
// at most whole bytes is summed if it goes as a piece (the CRC of a
// smaller message or of one cut into fragments would go unused), and
// framed if smaller and room, the length of a DATA or I-DATA chunk
// header, is not 0.
func copyMessage(ar *arena, p []byte, whole, room int) ([]byte, *slab, payloadLayout) {
	switch {
	case len(p) < minPiece && len(p) <= whole && room > 0:
		return copyFramed(ar, p, room)
	case len(p) < minPiece || len(p) > whole:
		b, blk := ar.copy(p)
		return b, blk, payloadLayout{}
	}
	b, blk, _ := ar.alloc(len(p))
	b = b[:len(p)]
	return b, blk, payloadLayout{crc: crc32c.CopyUpdate(0, b, p), form: payloadSummed}
}

// copyFramed copies p into the arena after room bytes for its chunk
// header and before its padding, which it writes, and returns the copy.
func copyFramed(ar *arena, p []byte, room int) ([]byte, *slab, payloadLayout) {
	n := len(p)
	b, blk, _ := ar.alloc(room + padLen(n))
	b = b[:room+padLen(n)]
	copy(b[room:], p)
	clear(b[room+n:])
	return b[room : room+n], blk, payloadLayout{form: payloadFramed, room: uint8(room)}
}

// frameOf returns the frame around data, a payload that copyFramed laid
// out in block blk with room bytes ahead of it: its header room, data and
// padding. It is a slice of the block, bounds-checked, whose capacity runs
// to the block's end, so that the frame after it in the block extends the
// same piece (addFrame).
func frameOf(data []byte, room int, blk *slab) []byte {
	at := uintptr(unsafe.Pointer(unsafe.SliceData(data))) - uintptr(unsafe.Pointer(unsafe.SliceData(blk.buf)))
	start := int(at) - room
	return blk.buf[start : start+room+padLen(len(data))]
}

// builder assembles the packets of one flush and sends them in batches.
// The packets' own bytes (headers, control chunks, small payloads) lie
// back to back in a few reusable blocks (areas), each with a capacity that
// runs to its block's end, so that the transport sends a run of them to
// one destination as it is, with UDP segmentation offload, instead of
// copying it into a buffer of its own. Large DATA payloads stay in the
// send buffer: a packet refers to them, and the transport gathers its
// pieces (see addPayload).
type builder struct {
	out   *output
	owner *Association // whose packets these are
	port  [2]uint16    // source and destination SCTP ports
	areas [][]byte     // len: the bytes closed packets take
	area  int          // the area the next packet starts in
	dgs   []encap.Datagram
	cur   []byte // the open packet's own bytes; nil when none is open
	// refs are the payloads the open packet sends from where they lie,
	// refLen their bytes; pieces holds the Rest of the batch's packets.
	refs       []payloadRef
	refLen     int
	batchBytes int // of the packets in dgs (see maxBatchBytes)
	pieces     [][]byte
	known      []wire.PieceCRC // the CRCs of the open packet's pieces known already
	dest       netip.AddrPort
	src        netip.Addr
	vtag       uint32
	limit      int // size limit of the current packet
	hasDat     bool
	// auth signs packets carrying chunks the peer wants authenticated
	// (RFC 4895); authOff is where in the current packet its AUTH chunk
	// starts, -1 without one.
	auth    *auth.Session
	authOff int
	sent    int // packets handed to the connection
	calls   int // SendBatch calls
	bytes   int
	errs    int
	// refused lists datagrams the OS would not send (see sendfail.go).
	refused []refusedSend
}

// open makes sure a packet to dest with tag vtag is under construction
// with room for a chunk of type ct and need bytes, starting a new one if
// not. If the peer wants ct authenticated, an AUTH chunk goes ahead of it
// unless the packet has one.
func (b *builder) open(dest netip.AddrPort, src netip.Addr, vtag uint32, limit int, ct wire.ChunkType, need int) {
	needAuth := b.auth != nil && b.auth.SendNeedsAuth(ct)
	same := b.cur != nil && b.dest == dest && b.src == src && b.vtag == vtag
	if same && b.size()+need+b.authRoom(needAuth) <= b.limit {
		b.addAuth(needAuth)
		return
	}
	b.start(dest, src, vtag, limit)
	b.addAuth(needAuth)
}

// authRoom is the room an AUTH chunk still needs in the current packet.
func (b *builder) authRoom(needAuth bool) int {
	if !needAuth || b.authOff >= 0 {
		return 0
	}
	return b.auth.AuthLen()
}

// addAuth appends the AUTH chunk if the next chunk needs one and the
// packet has none yet.
func (b *builder) addAuth(needAuth bool) {
	if needAuth && b.authOff < 0 {
		b.authOff = b.size()
		b.cur = b.auth.AppendAuth(b.cur)
	}
}

// start closes the current packet and begins a new one.
func (b *builder) start(dest netip.AddrPort, src netip.Addr, vtag uint32, limit int) {
	b.close()
	if len(b.dgs) == maxBatch || b.batchBytes >= maxBatchBytes {
		b.send()
	}
	b.cur = wire.Header{SrcPort: b.port[0], DstPort: b.port[1], VerificationTag: vtag}.Append(b.space(limit))
	b.dest, b.src, b.vtag, b.limit, b.hasDat = dest, src, vtag, limit, false
	b.authOff = -1
}

// space returns an empty slice at the end of the packets laid out so far,
// with room for at least limit bytes, moving on to the next area (made on
// first use) when this one is full.
func (b *builder) space(limit int) []byte {
	for b.area < len(b.areas) && cap(b.areas[b.area])-len(b.areas[b.area]) < limit {
		b.area++
	}
	if b.area == len(b.areas) {
		size := areaSize
		if b.area == 0 {
			size = firstArea
		}
		b.areas = append(b.areas, make([]byte, 0, max(size, limit)))
	}
	a := b.areas[b.area]
	return a[len(a):]
}

// size returns the length of the current packet so far.
func (b *builder) size() int { return len(b.cur) + b.refLen }

// room returns the bytes left in the current packet.
func (b *builder) room() int {
	if b.cur == nil {
		return 0
	}
	return b.limit - b.size()
}

// payloadRef is a payload that follows the packet's own bytes cur[:at].
type payloadRef struct {
	at     int
	p      []byte
	layout payloadLayout
}

// zeroPad pads a payload to a multiple of four bytes.
var zeroPad [3]byte

// addPayload adds the payload of the DATA or I-DATA chunk whose header
// was just appended, and its padding; layout has its CRC if known. A payload
// of minPiece bytes or more goes as a piece of its own, from where it
// lies. The send ring keeps a chunk's data until it is acknowledged,
// which happens on this association's loop after the flush has handed its
// packets to the output, and the output sends them before it returns or
// copies them (outQueue.add). PR-SCTP abandons chunks during a flush
// (sendMarked), but only of messages none of whose chunks that flush
// sent: a message's chunks share one deadline, and the lowest TSN is
// looked at first.
func (b *builder) addPayload(p []byte, layout payloadLayout) {
	if len(p) >= minPiece {
		b.refs = append(b.refs, payloadRef{at: len(b.cur), p: p, layout: layout})
		b.refLen += len(p)
	} else {
		b.cur = append(b.cur, p...)
	}
	b.cur = append(b.cur, zeroPad[:wire.Padding(len(p))]...)
}

// addFrame adds a chunk that goes as it lies in the send buffer: frame
// holds its header, payload and padding (see frameOf). A frame that
// starts where the packet's last piece ends, in the same block, with no
// bytes of the packet's own between them, extends that piece: the chunks
// of messages queued one after another leave as one piece. Pieces are
// only read, so the capacity past their ends is never written through
// them.
func (b *builder) addFrame(frame []byte) {
	b.refLen += len(frame)
	if k := len(b.refs) - 1; k >= 0 && b.refs[k].at == len(b.cur) && startsAt(b.refs[k].p, frame) {
		r := &b.refs[k]
		r.p = r.p[:len(r.p)+len(frame)]
		return
	}
	b.refs = append(b.refs, payloadRef{at: len(b.cur), p: frame})
}

// close finishes the current packet and queues it for sending.
func (b *builder) close() {
	if b.cur == nil {
		return
	}
	d := encap.Datagram{Local: netip.AddrPortFrom(b.src, 0), Remote: b.dest}
	d.Data, d.Rest = b.split()
	if b.authOff >= 0 {
		first, rest := from(d, b.authOff)
		if err := b.auth.Sign(first, rest...); err != nil {
			b.errs++ // cannot happen with a negotiated session; counted anyway
		}
	}
	wire.SetChecksumPieces(d.Data, d.Rest, b.known)
	if a := b.areas[b.area]; startsAt(a, b.cur) { // not moved by an append past the area's end
		b.areas[b.area] = a[:len(a)+len(b.cur)]
	}
	b.dgs = append(b.dgs, d)
	b.batchBytes += b.size()
	b.cur = nil
	clear(b.refs)
	b.refs, b.refLen, b.known = b.refs[:0], 0, b.known[:0]
}

// split returns the current packet in the pieces it goes out in: its own
// bytes up to the first payload it refers to, then that payload, its own
// bytes up to the next one, and so on. The pieces after the first are
// kept in b.pieces, the CRCs known of them in b.known.
func (b *builder) split() ([]byte, [][]byte) {
	if len(b.refs) == 0 {
		return b.cur, nil
	}
	start := len(b.pieces)
	for i, r := range b.refs {
		end := len(b.cur)
		if i+1 < len(b.refs) {
			end = b.refs[i+1].at
		}
		if r.layout.form == payloadSummed {
			b.known = append(b.known, wire.PieceCRC{Piece: len(b.pieces) - start, CRC: r.layout.crc})
		}
		b.pieces = append(b.pieces, r.p)
		if r.at < end {
			b.pieces = append(b.pieces, b.cur[r.at:end])
		}
	}
	return b.cur[:b.refs[0].at], b.pieces[start:len(b.pieces):len(b.pieces)]
}

// from returns the bytes of d from offset off on: the rest of the piece
// off falls in, and the pieces after it.
func from(d encap.Datagram, off int) ([]byte, [][]byte) {
	if off < len(d.Data) {
		return d.Data[off:], d.Rest
	}
	off -= len(d.Data)
	for i, p := range d.Rest {
		if off < len(p) {
			return p[off:], d.Rest[i+1:]
		}
		off -= len(p)
	}
	return nil, nil
}

// send hands the queued packets to the endpoint's output.
func (b *builder) send() {
	b.close()
	if len(b.dgs) == 0 {
		return
	}
	if err := b.out.send(b.owner, b.dgs); err != nil {
		b.errs++
		b.refused = collectRefusals(b.refused, err)
	}
	b.bytes += b.batchBytes
	b.sent += len(b.dgs)
	b.calls++
	b.batchBytes = 0
	clear(b.dgs)
	b.dgs = b.dgs[:0]
	clear(b.pieces) // the payloads may go back to the send buffer's pool
	b.pieces = b.pieces[:0]
	for i := range b.areas {
		b.areas[i] = b.areas[i][:0]
	}
	if b.area > 0 && cap(b.areas[0]) < areaSize { // the small first area was outgrown
		n := copy(b.areas, b.areas[1:])
		b.areas[n] = nil
		b.areas = b.areas[:n]
	}
	b.area = 0
}

// startsAt reports whether p starts right after the bytes of a, in a's
// array.
func startsAt(a, p []byte) bool {
	rest := a[len(a):cap(a)]
	return len(rest) > 0 && len(p) > 0 && &rest[0] == &p[0]
}
