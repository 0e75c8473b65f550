package registrar

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// conn is what the registrar uses of an association. *stack.Association
// implements it; tests and the fuzz target substitute their own.
type conn interface {
	RecvMsg(ctx context.Context, b []byte) (int, stack.RecvInfo, error)
	SendMsg(ctx context.Context, data []byte, info stack.SendInfo) error
	Paths() []stack.PathInfo
	RemoteAddr() netip.AddrPort
	PeerPort() uint16
	Abort(reason string) error
	Close() error
}

// maxMessage is the largest ASAP or ENRP message: its length field has 16
// bits.
const maxMessage = 65535

// session is one ASAP association: a pool element's or a pool user's (or
// hsdump's, over ENRP). One goroutine at a time reads its messages and answers them (see run).
type session struct {
	conn conn
	from netip.AddrPort // primary peer address when accepted, for logs

	// Guarded by core.mu.
	members map[*handlespace.PoolElement]struct{} // made by the first registration
	asap    wire.Transport                        // the peer's SCTP transport at its last registration
	dist    uint32                                // the association's distance at the last registration received
	table   tableCursor                           // progress of an ENRP handle table transfer
	closed  bool                                  // the association has ended

	kicks atomic.Int32 // see drain

	// Owned by the session goroutine.
	head  [headLen]byte // where each message starts to arrive
	key   msgKey        // what authenticated the message being handled
	signs uint16        // the key the association signs with, once changed by signWith
	*work               // while a message is handled; nil while idle
}

func newSession(c conn) *session {
	return &session{conn: c, from: c.RemoteAddr()}
}

// headLen is how much of a message an idle session reads into its own
// memory: a little more than a registration with a few addresses.
const headLen = 256

// work is what a session needs while it handles a message: the message,
// decoded, and the answers. Idle sessions give it back to workPool, so
// that thousands of idle associations do not each keep a 64 KB buffer and
// a set of decoded messages. The decoded messages alias the buffer, so a
// message is always read into the work's own buffer, never handled from
// the session's head.
type work struct {
	in      []byte // maxMessage+1 bytes: a message, or the start of an oversized one
	out     outbox
	scratch scratch
}

var workPool = sync.Pool{New: func() any { return &work{in: make([]byte, maxMessage+1)} }}

// acquire gives s a work, if it has none.
func (s *session) acquire() {
	if s.work == nil {
		s.work = workPool.Get().(*work)
	}
}

// release gives the work of s back.
func (s *session) release() {
	s.out.reset()
	workPool.Put(s.work)
	s.work = nil
}

// scratch holds the decoded messages of a session, reused from one message
// to the next so that a steady stream of requests allocates little.
type scratch struct {
	reg     wire.Registration
	dereg   wire.Deregistration
	res     wire.HandleResolution
	resp    wire.HandleResolutionResponse // without its elements (see appendElements)
	pe      wire.PoolElement              // an element being encoded
	ack     wire.EndpointKeepAliveAck
	unreach wire.EndpointUnreachable
	errMsg  wire.ASAPErrorMessage
	htr     wire.HandleTableRequest
	sel     []*handlespace.PoolElement
}

// outbox collects the answers to one message, to be sent once the core's
// mutex is released.
type outbox struct {
	buf  []byte
	msgs []outMsg
	sent int // msgs already sent: a flush that may not wait stops short
}

type outMsg struct {
	ppid uint32
	end  int // offset in buf after the message
}

// mark records that buf now ends with a complete message of protocol ppid.
func (o *outbox) mark(ppid uint32) { o.msgs = append(o.msgs, outMsg{ppid, len(o.buf)}) }

func (o *outbox) reset() {
	o.buf = o.buf[:0]
	o.msgs = o.msgs[:0]
	o.sent = 0
}

// errBlocked says that a flush that may not wait left answers behind.
var errBlocked = errors.New("registrar: send buffer full")

// flush sends the answers collected. With a done ctx it sends only what
// fits the send buffer and returns errBlocked if some did not; the rest
// stays in the outbox for a flush that may wait.
func (s *session) flush(ctx context.Context) error {
	o := &s.out
	for ; o.sent < len(o.msgs); o.sent++ {
		start := 0
		if o.sent > 0 {
			start = o.msgs[o.sent-1].end
		}
		m := o.msgs[o.sent]
		if err := s.conn.SendMsg(ctx, o.buf[start:m.end], stack.SendInfo{PPID: m.ppid}); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return errBlocked
			}
			return err
		}
	}
	return nil
}

// send flushes the outbox and gives the work back, unless the flush left
// answers behind.
func (s *session) send(ctx context.Context) error {
	err := s.flush(ctx)
	if !errors.Is(err, errBlocked) {
		s.release()
	}
	return err
}

// serve reads and answers the session's messages until its association
// ends, then removes the elements registered through it.
func (s *session) serve(ctx context.Context, c *core) {
	for s.next(ctx, ctx, ctx, c) == nil {
	}
	s.end(c)
}

// next reads one message, waiting for it as long as wait lasts, and
// answers it, waiting for room in the send buffer as long as send lasts
// (errBlocked if that was not long enough). An error means the session
// is over, unless it is wait's or errBlocked.
func (s *session) next(wait, send, ctx context.Context, c *core) error {
	n, info, err := s.conn.RecvMsg(wait, s.head[:])
	if err != nil {
		return err
	}
	s.acquire()
	s.key = msgKey{ok: info.Authenticated, id: info.KeyID}
	s.signWith(s.key)
	msg, err := s.readRest(ctx, n, info.EOR)
	if err != nil {
		s.release()
		return err
	}
	var peer []netip.Addr
	if isRegistration(info.PPID, msg) {
		paths := s.conn.Paths() // asked before locking: it waits for the association's loop
		peer, s.dist = addrsOf(paths), distance(paths)
	}
	c.handle(s, info.PPID, msg, peer, time.Now())
	return s.send(send)
}

// end removes the elements registered through s and closes its
// association.
func (s *session) end(c *core) {
	c.endSession(s, time.Now())
	s.conn.Close()
}

// peerAddr is the address the association's handshake came from, which
// MaxElementsPerAddr counts by.
func (s *session) peerAddr() netip.Addr { return s.from.Addr().Unmap() }

// readRest returns the message whose first n bytes are in s.head, in the
// work's buffer, reading the rest if eor is false (the association queues
// messages whole, so that read does not wait). No ASAP or ENRP message
// is longer than maxMessage: of a longer one it returns the first
// maxMessage+1 bytes, for the handler to report as malformed, and drops
// the rest.
func (s *session) readRest(ctx context.Context, n int, eor bool) ([]byte, error) {
	copy(s.in, s.head[:n])
	for !eor {
		if n == len(s.in) {
			return s.in, s.discardRest(ctx)
		}
		m, info, err := s.conn.RecvMsg(ctx, s.in[n:])
		if err != nil {
			return nil, err
		}
		n += m
		eor = info.EOR
	}
	return s.in[:n], nil
}

// discardRest reads and drops the rest of an oversized message.
func (s *session) discardRest(ctx context.Context) error {
	var scrap [4096]byte
	for {
		_, info, err := s.conn.RecvMsg(ctx, scrap[:])
		if err != nil || info.EOR {
			return err
		}
	}
}

// isRegistration reports whether msg is an ASAP Registration, whose
// handling needs the peer's addresses.
func isRegistration(ppid uint32, msg []byte) bool {
	return ppid == wire.PPIDASAP && len(msg) > 0 && wire.ASAPType(msg[0]) == wire.ASAPRegistration
}

// peerAddrs returns the peer addresses of the association.
func peerAddrs(c conn) []netip.Addr { return addrsOf(c.Paths()) }

// addrsOf returns the peer addresses of paths.
func addrsOf(paths []stack.PathInfo) []netip.Addr {
	addrs := make([]netip.Addr, len(paths))
	for i, p := range paths {
		addrs[i] = p.Remote.Addr().Unmap()
	}
	return addrs
}
