package registrar

import (
	"context"
	"net/netip"
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
// hsdump's, over ENRP). One goroutine reads its messages and answers them.
type session struct {
	conn conn
	from netip.AddrPort // primary peer address when accepted, for logs

	// Guarded by core.mu.
	members map[*handlespace.PoolElement]struct{} // made by the first registration
	asap    wire.Transport                        // the peer's SCTP transport at its last registration
	table   tableCursor                           // progress of an ENRP handle table transfer
	closed  bool                                  // the association has ended

	// Owned by the session goroutine.
	in      []byte
	out     outbox
	scratch scratch
}

func newSession(c conn) *session {
	return &session{
		conn: c,
		from: c.RemoteAddr(),
		in:   make([]byte, maxMessage+1),
	}
}

// scratch holds the decoded messages of a session, reused from one message
// to the next so that a steady stream of requests allocates little.
type scratch struct {
	reg     wire.Registration
	dereg   wire.Deregistration
	res     wire.HandleResolution
	resp    wire.HandleResolutionResponse
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
}

// flush sends the answers collected and empties the outbox.
func (s *session) flush(ctx context.Context) error {
	defer s.out.reset()
	start := 0
	for _, m := range s.out.msgs {
		if err := s.conn.SendMsg(ctx, s.out.buf[start:m.end], stack.SendInfo{PPID: m.ppid}); err != nil {
			return err
		}
		start = m.end
	}
	return nil
}

// serve reads and answers the session's messages until its association
// ends, then removes the elements registered through it.
func (s *session) serve(ctx context.Context, c *core) {
	for {
		n, info, err := s.conn.RecvMsg(ctx, s.in)
		if err != nil {
			break
		}
		msg := s.in[:n]
		if !info.EOR {
			// No ASAP or ENRP message is this long: drop the rest
			// and let the handler report it as malformed.
			if err := s.discardRest(ctx); err != nil {
				break
			}
		}
		var peer []netip.Addr
		if isRegistration(info.PPID, msg) {
			peer = peerAddrs(s.conn) // asked before locking: it waits for the association's loop
		}
		c.handle(s, info.PPID, msg, peer, time.Now())
		if err := s.flush(ctx); err != nil {
			break
		}
	}
	c.endSession(s, time.Now())
	s.conn.Close()
}

// peerAddr is the address the association's handshake came from, which
// MaxElementsPerAddr counts by.
func (s *session) peerAddr() netip.Addr { return s.from.Addr().Unmap() }

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
func peerAddrs(c conn) []netip.Addr {
	paths := c.Paths()
	addrs := make([]netip.Addr, len(paths))
	for i, p := range paths {
		addrs[i] = p.Remote.Addr().Unmap()
	}
	return addrs
}
