package stack

import (
	"net/netip"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// maxBatch is the most packets one SendBatch carries.
const maxBatch = 64

// areaSize is the size of the blocks a builder lays its packets out in:
// room for a 64 KiB GSO run of packets and then some. A builder starts
// with a small one, which is all that flushes of a packet or two (a
// request, an answer, a SACK) need, and trades it for a large one once a
// batch outgrows it.
const (
	areaSize  = 96 << 10
	firstArea = 8 << 10
)

// builder assembles the packets of one flush and sends them in batches.
// The packets of a batch lie back to back in a few reusable blocks
// (areas), each with a capacity that runs to its block's end, so that the
// transport sends a run of them to one destination as it is, with UDP
// segmentation offload, instead of copying it into a buffer of its own.
type builder struct {
	out    *output
	owner  *Association // whose packets these are
	port   [2]uint16    // source and destination SCTP ports
	areas  [][]byte     // len: the bytes closed packets take
	area   int          // the area the next packet starts in
	dgs    []encap.Datagram
	cur    []byte // packet under construction; nil when none is open
	dest   netip.AddrPort
	src    netip.Addr
	vtag   uint32
	limit  int // size limit of the current packet
	hasDat bool
	// auth signs packets carrying chunks the peer wants authenticated
	// (RFC 4895); authOff is where the current packet's AUTH chunk
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
	if same && len(b.cur)+need+b.authRoom(needAuth) <= b.limit {
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
		b.authOff = len(b.cur)
		b.cur = b.auth.AppendAuth(b.cur)
	}
}

// start closes the current packet and begins a new one.
func (b *builder) start(dest netip.AddrPort, src netip.Addr, vtag uint32, limit int) {
	b.close()
	if len(b.dgs) == maxBatch {
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

// room returns the bytes left in the current packet.
func (b *builder) room() int {
	if b.cur == nil {
		return 0
	}
	return b.limit - len(b.cur)
}

// close finishes the current packet and queues it for sending.
func (b *builder) close() {
	if b.cur == nil {
		return
	}
	if b.authOff >= 0 {
		if err := b.auth.Sign(b.cur[b.authOff:]); err != nil {
			b.errs++ // cannot happen with a negotiated session; counted anyway
		}
	}
	wire.SetChecksum(b.cur)
	if a := b.areas[b.area]; startsAt(a, b.cur) { // not moved by an append past the area's end
		b.areas[b.area] = a[:len(a)+len(b.cur)]
	}
	b.dgs = append(b.dgs, encap.Datagram{Data: b.cur, Local: netip.AddrPortFrom(b.src, 0), Remote: b.dest})
	b.cur = nil
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
	for _, d := range b.dgs {
		b.bytes += len(d.Data)
	}
	b.sent += len(b.dgs)
	b.calls++
	clear(b.dgs)
	b.dgs = b.dgs[:0]
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
