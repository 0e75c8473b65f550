package stack

import (
	"net/netip"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// maxBatch is the most packets one SendBatch carries.
const maxBatch = 64

// builder assembles the packets of one flush into reusable buffers and
// sends them in batches.
type builder struct {
	out    *output
	owner  *Association // whose packets these are
	port   [2]uint16    // source and destination SCTP ports
	bufs   [][]byte
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
	i := len(b.dgs)
	if i == len(b.bufs) {
		b.bufs = append(b.bufs, make([]byte, 0, limit))
	}
	b.cur = wire.Header{SrcPort: b.port[0], DstPort: b.port[1], VerificationTag: vtag}.Append(b.bufs[i][:0])
	b.dest, b.src, b.vtag, b.limit, b.hasDat = dest, src, vtag, limit, false
	b.authOff = -1
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
	i := len(b.dgs)
	b.bufs[i] = b.cur
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
}
