package stack

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Stream is one stream of an association as a net.Conn. Each Write sends
// one message on the stream; Read returns the bytes of the stream's
// messages in order, a message larger than the buffer spanning several
// reads. Messages of the stream stop going to RecvMsg once it is opened.
//
// Close releases the stream only; Association.Close ends the association.
type Stream struct {
	a     *Association
	id    uint16
	ppid  uint32
	q     *recvQueue
	rdl   deadline
	wdl   deadline
	close sync.Once
	done  chan struct{}
}

var _ net.Conn = (*Stream)(nil)

// Stream opens stream id for reading and writing; ppid is the payload
// protocol identifier its messages carry.
func (a *Association) Stream(id uint16, ppid uint32) (*Stream, error) {
	if err := a.checkStream(id); err != nil {
		return nil, err
	}
	s := newStream(a, id, ppid)
	ok := a.exec(func(time.Time) { a.openStream(s) })
	if !ok {
		return nil, ErrClosed
	}
	if s.q == nil {
		return nil, errStreamOpen
	}
	return s, nil
}

func newStream(a *Association, id uint16, ppid uint32) *Stream {
	return &Stream{a: a, id: id, ppid: ppid, q: &recvQueue{watch: &a.rx.watch}, done: make(chan struct{})}
}

// openStream diverts the stream's messages, including any already queued
// for RecvMsg, to s. If the peer reset the stream after some of those,
// s takes them up to the reset and then ends, and the stream's later
// messages stay where they are. Runs on the loop.
func (a *Association) openStream(s *Stream) {
	if a.streamQs[s.id] != nil {
		s.q = nil
		return
	}
	ended := a.takeWaiting(s)
	s.q.eof = ended || a.shutdown.peerEOF
	if ended {
		return
	}
	if a.streamQs == nil {
		a.streamQs = make(map[uint16]*recvQueue)
	}
	a.streamQs[s.id] = s.q
}

// takeWaiting moves the messages of s's stream that wait for RecvMsg to
// s, up to the stream's end if the peer reset it, and reports whether it
// reached that end.
func (a *Association) takeWaiting(s *Stream) (ended bool) {
	a.recvq.mu.Lock()
	defer a.recvq.mu.Unlock()
	kept := a.recvq.msgs[:0]
	for _, m := range a.recvq.msgs[a.recvq.head:] {
		if m.Stream != s.id || ended {
			kept = append(kept, m)
			continue
		}
		ended = m.streamEnd
		s.q.push(m)
		a.recvq.bytes -= rxCost(len(m.Data))
	}
	clear(a.recvq.msgs[len(kept):])
	a.recvq.msgs, a.recvq.head = kept, 0
	return ended
}

// closeStream stops diverting the stream's messages, if it still does
// (a stream the peer had reset when it opened took its messages up to
// the reset and diverts none), and gives those the stream left unread
// back to RecvMsg, after what waits there: dropped, they would be lost,
// and in a kept packet buffer hold it for the association's life. Runs
// on the loop.
func (a *Association) closeStream(s *Stream) {
	if a.streamQs[s.id] == s.q {
		delete(a.streamQs, s.id)
	}
	if unread := s.q.takeAll(); len(unread) > 0 {
		a.recvq.pushAll(unread)
	}
}

// Read reads bytes of the stream's messages. After Close it returns
// net.ErrClosed.
func (s *Stream) Read(b []byte) (int, error) {
	if isClosed(s.done) {
		return 0, s.closedErr("read")
	}
	n, _, err := s.q.read(s.interrupt(&s.rdl), b, s.a.signal)
	return n, err
}

// closedErr is the error of an operation on a closed stream, shaped like
// the net package's.
func (s *Stream) closedErr(op string) error {
	return &net.OpError{Op: op, Net: "sctp", Source: s.LocalAddr(), Addr: s.RemoteAddr(), Err: net.ErrClosed}
}

// Write sends b as one message on the stream. After Close it returns
// net.ErrClosed.
func (s *Stream) Write(b []byte) (int, error) {
	if isClosed(s.done) {
		return 0, s.closedErr("write")
	}
	if len(b) == 0 {
		return 0, nil
	}
	if err := s.a.send(s.interrupt(&s.wdl), b, SendInfo{Stream: s.id, PPID: s.ppid}); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (s *Stream) interrupt(d *deadline) interrupt {
	return interrupt{ctx: context.Background(), deadline: d.channel(), closed: s.done}
}

// Close releases the stream: blocked and later calls return
// net.ErrClosed; its messages, those it left unread first, go to RecvMsg
// again. When the peer supports stream reconfiguration (RFC 6525), Close
// also resets the stream's outgoing direction once everything written
// has been sent: the peer's reads on the stream then end with io.EOF.
func (s *Stream) Close() error {
	s.close.Do(func() {
		close(s.done)
		s.a.exec(func(time.Time) {
			s.a.closeStream(s)
			s.a.resetOutgoing(s.id)
		})
	})
	return nil
}

// LocalAddr returns the local address of the association's primary path
// and the SCTP port, as Association.LocalAddr.
func (s *Stream) LocalAddr() net.Addr {
	local, _ := s.a.primaryAddrs()
	return &Addr{IP: local, Port: s.a.localPort, UDPPort: s.a.ep.UDPPort()}
}

// RemoteAddr returns the peer address of the association's primary path
// and the peer's SCTP port, as Association.RemoteAddr.
func (s *Stream) RemoteAddr() net.Addr {
	_, r := s.a.primaryAddrs()
	return &Addr{IP: r.Addr(), Port: s.a.peerPort, UDPPort: r.Port()}
}

// SetDeadline sets both deadlines.
func (s *Stream) SetDeadline(t time.Time) error {
	s.rdl.set(t)
	s.wdl.set(t)
	return nil
}

// SetReadDeadline sets the deadline of current and future Reads.
func (s *Stream) SetReadDeadline(t time.Time) error { s.rdl.set(t); return nil }

// SetWriteDeadline sets the deadline of current and future Writes.
func (s *Stream) SetWriteDeadline(t time.Time) error { s.wdl.set(t); return nil }

// Addr is an SCTP-over-UDP transport address. Its string is the address
// and SCTP port, as for TCP; the UDP port is a detail of the transport.
type Addr struct {
	IP      netip.Addr
	Port    uint16 // SCTP port
	UDPPort uint16 // UDP encapsulation port
}

// Network returns "sctp".
func (*Addr) Network() string { return "sctp" }

func (a *Addr) String() string { return a.AddrPort().String() }

// AddrPort returns the IP address and the SCTP port.
func (a *Addr) AddrPort() netip.AddrPort { return netip.AddrPortFrom(a.IP, a.Port) }

// deadline is a settable point in time that cancels the operations
// waiting on it, including ones already blocked when it is set.
type deadline struct {
	mu     sync.Mutex
	t      time.Time
	timer  *time.Timer
	expiry chan struct{} // closed when t passes; replaced when t moves
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.t = t
	if d.expiry == nil || isClosed(d.expiry) {
		d.expiry = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	ch := d.expiry
	if dur := time.Until(t); dur <= 0 {
		close(ch)
	} else {
		d.timer = time.AfterFunc(dur, func() { close(ch) })
	}
}

// channel returns a channel closed when the deadline passes. Moving the
// deadline re-arms the same channel, so calls already blocked on it see
// the new time.
func (d *deadline) channel() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.expiry == nil {
		d.expiry = make(chan struct{})
	}
	return d.expiry
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
