package stack

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// SendInfo says how a message is sent.
type SendInfo struct {
	Stream    uint16
	PPID      uint32        // payload protocol identifier, opaque to SCTP
	Unordered bool          // deliver as soon as complete, not in stream order
	Lifetime  time.Duration // PR-SCTP timed reliability (RFC 3758); 0: fully reliable
}

// RecvInfo describes a message, or the part of it, returned by RecvMsg.
type RecvInfo struct {
	Stream    uint16
	PPID      uint32
	Unordered bool
	// EOR is set when the read returned the end of the message; a
	// message larger than the buffer is returned over several reads.
	EOR bool
	// Authenticated is set when every chunk of the message came after an
	// AUTH chunk that verified (RFC 4895), all with the same
	// endpoint-pair shared key: the one whose Shared Key Identifier is
	// KeyID. Key 0 is the empty key every SCTP-AUTH endpoint holds
	// unless it is deleted, so it proves nothing about the peer. The
	// peer signs DATA only if Config.AuthChunks lists TypeData (or
	// TypeIData); otherwise Authenticated is normally false. This is
	// how an upper layer learns which peer's key a message speaks for,
	// as RFC 5355 asks of a registrar.
	Authenticated bool
	KeyID         uint16
}

// SendMsg queues one message. It blocks while the send buffer is full,
// until ctx is done or the association closes. Message boundaries are
// kept: the peer receives the message whole. A message that does not fit
// the send buffer at all is accepted once the buffer is empty.
func (a *Association) SendMsg(ctx context.Context, data []byte, info SendInfo) error {
	return a.send(interrupt{ctx: ctx}, data, info)
}

// send implements SendMsg; in says what may interrupt a wait for space.
func (a *Association) send(in interrupt, data []byte, info SendInfo) error {
	if len(data) == 0 {
		return errors.New("sctp: empty message") // DATA needs user data (RFC 9260 section 6.2)
	}
	if err := a.checkStream(info.Stream); err != nil {
		return err
	}
	var deadline time.Time
	if info.Lifetime > 0 {
		deadline = time.Now().Add(info.Lifetime)
	}
	cost := len(data) + chunkCost
	q := &a.sendq
	q.mu.Lock()
	for q.closed == nil && q.bytes > 0 && q.bytes+cost > q.limit {
		space := q.space.wait()
		q.mu.Unlock()
		err := in.wait(space)
		q.mu.Lock()
		q.space.done(space)
		if err != nil {
			q.mu.Unlock()
			return err
		}
	}
	if q.closed != nil {
		err := q.closed
		q.mu.Unlock()
		return err
	}
	// The message is filled in where it is queued: built on the stack
	// and appended, it was copied 16 bytes at a time by loads that could
	// not take its fields from the separate stores that wrote them, and
	// waited for the copy of its data to reach the cache (more than half
	// of SendMsg's samples at 1000 bytes).
	if q.bytes == 0 { // nothing queued or unacknowledged: the arena may be free
		q.arena.rewind()
	}
	q.msgs = append(q.msgs, outMsg{})
	m := &q.msgs[len(q.msgs)-1]
	m.info, m.deadline = info, deadline
	m.data, m.blk, m.layout = copyMessage(&q.arena, data, int(q.whole.Load()), q.room) // under the lock: the arena is shared
	idle := q.bytes == 0
	q.bytes += cost
	q.mu.Unlock()
	// A message to an idle association (nothing queued, nothing
	// unacknowledged: a request, an answer) leaves from this goroutine,
	// if no round runs. One behind others, as in a bulk transfer, is left
	// to a goroutine, so that the application queues the next ones
	// meanwhile and they leave together, several per system call.
	if idle {
		a.poke()
	} else {
		a.signal()
	}
	return nil
}

// interrupt is what may end a blocking call early: a context, and for a
// Stream its deadline and its Close.
type interrupt struct {
	ctx      context.Context
	deadline <-chan struct{}
	closed   <-chan struct{}
}

// wait blocks until ch is closed or the call is interrupted.
func (in interrupt) wait(ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-in.ctx.Done():
		return in.ctx.Err()
	case <-in.deadline:
		return os.ErrDeadlineExceeded
	case <-in.closed:
		return net.ErrClosed
	}
}

// checkStream rejects a stream the association does not have.
func (a *Association) checkStream(id uint16) error {
	if uint32(id) >= a.info.streamsOut.Load() {
		return ErrInvalidStream
	}
	return nil
}

// RecvMsg reads the next message into b. If the message is longer than b,
// the rest comes with the following calls and info.EOR is false until the
// last part. After the peer shut down and everything was read, it returns
// io.EOF; after an abnormal end, the association's error. A message
// already queued is returned even if ctx is done, so a done ctx makes a
// read that does not wait (see OnRecv).
func (a *Association) RecvMsg(ctx context.Context, b []byte) (int, RecvInfo, error) {
	return a.recvq.read(interrupt{ctx: ctx}, b, a.poke)
}

// RecvMsgFunc calls f with the next message, or with the rest of one
// RecvMsg read in part, where it lies: in the packet buffer it came in or
// the receiver's arena, without copying it into a buffer of the caller's.
// info.EOR is always set. data is valid only until f returns, when its
// memory goes back to the association: f must not keep it (copy what it
// needs). It waits, and ends, as RecvMsg does; f runs on the caller's
// goroutine, with no lock held.
func (a *Association) RecvMsgFunc(ctx context.Context, f func(data []byte, info RecvInfo)) error {
	return a.recvq.readFunc(interrupt{ctx: ctx}, f, a.poke)
}

// read implements RecvMsg on a receive queue. freed is called when the
// read made room in a window the loop reported as low: enough, with the
// reads before it, for a window update (windowWatch).
func (q *recvQueue) read(in interrupt, b []byte, freed func()) (int, RecvInfo, error) {
	if err := q.next(in); err != nil {
		return 0, RecvInfo{}, err
	}
	queued := q.bytes
	m := &q.msgs[q.head]
	info := m.info()
	n := copy(b, m.Data)
	if n < len(m.Data) {
		m.Data = m.Data[n:]
		q.bytes -= n
	} else {
		info.EOR = true
		q.pop()
	}
	q.readDone(queued, freed)
	return n, info, nil
}

// readFunc implements RecvMsgFunc on a receive queue. The message leaves
// the queue before f runs, so that f may read again or the loop queue
// more; its memory is released after.
func (q *recvQueue) readFunc(in interrupt, f func([]byte, RecvInfo), freed func()) error {
	if err := q.next(in); err != nil {
		return err
	}
	queued := q.bytes
	m := q.msgs[q.head]
	q.msgs[q.head].blk = nil // released below, not with the queue's releases
	q.pop()
	q.readDone(queued, freed)
	defer m.blk.release(1)
	info := m.info()
	info.EOR = true
	f(m.Data, info)
	return nil
}

// next waits until a message is queued and returns with q.mu held, or
// returns why there will be none (io.EOF after the peer's shutdown) or
// why the wait was interrupted, with q.mu released.
func (q *recvQueue) next(in interrupt) error {
	q.mu.Lock()
	for q.empty() {
		if q.closed != nil || q.eof {
			err := q.closed
			if q.eof || errors.Is(err, ErrClosed) {
				err = io.EOF
			}
			q.rel.flush() // nothing more comes: no idle trim would do it
			q.mu.Unlock()
			return err
		}
		if err := in.ctx.Err(); err != nil {
			q.mu.Unlock() // a read that may not wait makes no channel to wait on
			return err
		}
		ready := q.ready.wait()
		q.mu.Unlock()
		err := in.wait(ready)
		q.mu.Lock()
		q.ready.done(ready)
		if err != nil {
			q.mu.Unlock()
			return err
		}
	}
	return nil
}

// readDone releases q.mu after a read that left q.bytes of the queued
// bytes, and tells the loop if the window may owe the peer an update.
func (q *recvQueue) readDone(queued int, freed func()) {
	due := q.watch != nil && q.watch.freed(queued-q.bytes)
	q.mu.Unlock()
	if due {
		freed() // the loop may owe the peer a window update
	}
}

// info describes m to its reader; EOR is up to the read.
func (m *Message) info() RecvInfo {
	return RecvInfo{Stream: m.Stream, PPID: m.PPID, Unordered: m.Unordered, Authenticated: m.key.ok, KeyID: m.key.id}
}

// Shutdown closes the association gracefully (RFC 9260 section 9.2): no
// more messages are accepted, everything queued is delivered, and the
// SHUTDOWN exchange runs. It waits until the association is closed or ctx
// is done. Messages the peer sends meanwhile can still be read.
func (a *Association) Shutdown(ctx context.Context) error {
	a.exec(a.startShutdown)
	select {
	case <-a.done:
		if err := a.Err(); err != nil && !errors.Is(err, ErrShutdown) {
			return err
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Abort ends the association at once with an ABORT carrying reason as a
// User-Initiated Abort cause. Queued and unacknowledged messages are lost
// (and reported as send failures).
func (a *Association) Abort(reason string) error {
	a.exec(func(now time.Time) {
		a.abortWith(now, &wire.UserAbortCause{Reason: []byte(reason)}, &AbortError{Causes: []CauseError{{Code: wire.CauseUserInitiatedAbort, Info: reason}}})
	})
	<-a.done
	return nil
}

// closeTimeout bounds the graceful part of Close.
const closeTimeout = 5 * time.Second

// Close shuts the association down gracefully, and aborts it if that does
// not finish within a few seconds.
func (a *Association) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil && errors.Is(err, context.DeadlineExceeded) {
		return a.Abort("close timeout")
	}
	return nil
}

// Done returns a channel closed when the association has ended.
func (a *Association) Done() <-chan struct{} { return a.done }

// Err returns why the association ended: nil while it runs and after a
// graceful shutdown.
func (a *Association) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.info.state == stateClosed && errors.Is(a.info.err, ErrClosed) {
		return nil
	}
	return a.info.err
}

// OnRecv sets f to be called whenever messages arrive for RecvMsg and
// when the association ends, so that a server of many mostly idle
// associations need not keep a goroutine blocked in RecvMsg for each.
// f is called after the round of the association's work that queued
// them, on the goroutine that ran it: often the socket reader's, but it
// may be that of a call of the association's methods (SendMsg, Stats,
// Abort, ...) that ran the round, before the call returns, so f must not
// take a lock held around such calls. It may read what is queued with a
// done context and answer with SendMsg at once, but it must not block (a
// SendMsg that may wait for room, Close), since the reader then reads
// nothing else; it can start a goroutine for that. Calls may overlap.
// Messages queued before OnRecv was called do not call it: read once
// after setting it.
func (a *Association) OnRecv(f func()) {
	a.onRecv.Store(&f)
	a.recvq.mu.Lock()
	a.recvq.ready.hook = a.recvArrived
	a.recvq.mu.Unlock()
}

// recvArrived is the receive queue's hook: it runs in the round, under
// the queue's lock, and leaves the call of OnRecv's f for after it.
func (a *Association) recvArrived() { a.recvDue.Store(true) }

// Events returns the association's event channel. It is closed when the
// association ends, after its last event.
func (a *Association) Events() <-chan Event { return a.events.C() }

// Stats returns counters and per-path state.
func (a *Association) Stats() Stats {
	var s Stats
	if !a.exec(func(time.Time) { s = a.snapshot() }) {
		a.mu.Lock()
		s = *a.final // set before the loop signals it is done
		a.mu.Unlock()
	}
	return s
}

// Paths returns the state of every path.
func (a *Association) Paths() []PathInfo { return a.Stats().Paths }

// SetPrimary makes the path to addr the primary path.
func (a *Association) SetPrimary(addr netip.Addr) error {
	err := errors.New("sctp: no path to " + addr.String())
	a.exec(func(now time.Time) {
		if p := a.pathTo(addr.Unmap()); p != nil {
			err = nil
			a.setPreferred(now, p)
		}
	})
	return err
}

// Streams returns the negotiated numbers of outbound and inbound streams.
func (a *Association) Streams() (out, in uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return uint16(a.info.streamsOut.Load()), a.info.streamsIn
}

// RemoteAddr returns the primary path's peer address and the peer's SCTP
// port. Paths gives every address and the UDP ports.
func (a *Association) RemoteAddr() netip.AddrPort {
	_, remote := a.primaryAddrs()
	return netip.AddrPortFrom(remote.Addr(), a.peerPort)
}

// LocalAddr returns the local address of the primary path and the
// endpoint's SCTP port.
func (a *Association) LocalAddr() netip.AddrPort {
	local, _ := a.primaryAddrs()
	return netip.AddrPortFrom(local, a.localPort)
}

// primaryAddrs returns the primary path's local address and its peer
// address with the peer's UDP port.
func (a *Association) primaryAddrs() (local netip.Addr, remote netip.AddrPort) {
	ran := a.exec(func(time.Time) {
		if a.primary != nil {
			local, remote = a.primary.local, a.primary.remote
		}
	})
	if !ran { // ended: the last snapshot still knows the primary path
		for _, p := range a.Stats().Paths {
			if p.Primary {
				return p.Local, p.Remote
			}
		}
	}
	return local, remote
}

// PeerPort returns the peer's SCTP port.
func (a *Association) PeerPort() uint16 { return a.peerPort }
