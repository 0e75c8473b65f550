package asap

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
	sctpwire "github.com/mobisctp/mobisctp/stack/wire"
)

// registrarConn is an ASAP association with one registrar. ASAP answers
// carry no transaction identifier, so a request waits for the next answer
// of the matching type for the same pool handle. A reader goroutine hands
// each answer to its request and every other message to unsolicited.
type registrarConn struct {
	a      *stack.Association
	remote stack.Remote
	// key, if not 0, is the Shared Key Identifier of the endpoint-pair
	// shared key that the registrar must authenticate its answers with
	// (see proven).
	key         uint16
	unsolicited func(c *registrarConn, m wire.ASAPMessage) // runs on the reader goroutine

	mu      sync.Mutex
	waiting []*waiter

	done chan struct{} // closed when the association has ended
	err  error         // why; set before done is closed
}

// waiter is a request waiting for its answer.
type waiter struct {
	want   wire.ASAPType
	handle string
	reply  chan answer // buffered: the reader never blocks on it
}

// answer is a registrar's answer to a request: the message bytes, which
// the requester owns, and whether the registrar proved itself with them.
type answer struct {
	b      []byte
	proven bool
}

func newRegistrarConn(a *stack.Association, r stack.Remote, key uint16, unsolicited func(*registrarConn, wire.ASAPMessage)) *registrarConn {
	c := &registrarConn{a: a, remote: r, key: key, unsolicited: unsolicited, done: make(chan struct{})}
	go c.read()
	return c
}

// request sends v and returns the answer of type want for handle: the
// message bytes, which the caller owns. An ASAP Error message answers any
// request. An answer that is not proven fails with ErrRegistrarNotProven.
func (c *registrarConn) request(ctx context.Context, v wire.ASAPValue, want wire.ASAPType, handle []byte) ([]byte, error) {
	w := &waiter{want: want, handle: string(handle), reply: make(chan answer, 1)}
	c.mu.Lock()
	c.waiting = append(c.waiting, w)
	c.mu.Unlock()
	defer c.forget(w)
	if err := c.send(ctx, v); err != nil {
		return nil, err
	}
	select {
	case r := <-w.reply:
		if !r.proven {
			return nil, fmt.Errorf("%w: registrar %v answered %v without authenticating it with key %d",
				ErrRegistrarNotProven, remoteString(c.remote), v.ASAPType(), c.key)
		}
		return r.b, nil
	case <-c.done:
		return nil, c.err
	case <-ctx.Done():
		return nil, fmt.Errorf("asap: no answer to %v from registrar %v: %w", v.ASAPType(), remoteString(c.remote), ctx.Err())
	}
}

func (c *registrarConn) send(ctx context.Context, v wire.ASAPValue) error {
	return sendASAP(ctx, c.a, v)
}

func (c *registrarConn) forget(w *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.waiting {
		if x == w {
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			return
		}
	}
}

// read passes every message to dispatch until the association ends.
func (c *registrarConn) read() {
	r := newReader(c.a)
	for {
		b, info, err := r.next(context.Background())
		if err != nil {
			c.err = fmt.Errorf("asap: association with registrar %v ended: %w", remoteString(c.remote), err)
			close(c.done)
			return
		}
		if info.PPID == wire.PPIDASAP {
			c.dispatch(b, c.proven(info))
		}
	}
}

// proven reports whether a message proves that it comes from a registrar
// holding the key (RFC 5355: elements and users authenticate their
// registrar, not only the other way round). A registrar signs with the
// key once the element or user has signed with it: an association it
// opens itself, for a takeover, starts with the empty key, so unsolicited
// messages are taken as hints only, whose effects need a proven answer
// (Element.moveHome registers first).
func (c *registrarConn) proven(info stack.RecvInfo) bool {
	return c.key == 0 || (info.Authenticated && info.KeyID == c.key)
}

// checkKeyed reports a key identifier (ElementConfig or UserConfig
// .KeyID, named by what) that no registrar could prove itself with: the
// endpoint must ask its peers to authenticate DATA.
func checkKeyed(what string, id uint16, ep *stack.Endpoint) error {
	if id != 0 && !ep.AuthRequired(sctpwire.TypeData) {
		return fmt.Errorf("asap: %s.KeyID is set but the endpoint does not ask its peers to authenticate DATA (stack.Config.AuthChunks), so no registrar could prove itself", what)
	}
	return nil
}

// dispatch handles one message from the registrar. Malformed ones are
// dropped.
func (c *registrarConn) dispatch(b []byte, proven bool) {
	m, err := wire.ParseASAP(b)
	if err != nil {
		return
	}
	if !c.answer(m, proven) && c.unsolicited != nil {
		c.unsolicited(c, m)
	}
}

// answer hands m to the oldest request it answers, if any.
func (c *registrarConn) answer(m wire.ASAPMessage, proven bool) bool {
	handle := string(poolHandleOf(m))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range c.waiting {
		if m.Type() == wire.ASAPError || (m.Type() == w.want && handle == w.handle) {
			w.reply <- answer{b: bytes.Clone(m.Bytes()), proven: proven}
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// poolHandleOf returns the first Pool Handle parameter of m, if any.
func poolHandleOf(m wire.ASAPMessage) []byte {
	it := m.Params().Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		if p.Type() == wire.ParamPoolHandle {
			return p.Value()
		}
	}
	return nil
}

// ended reports whether the association has ended.
func (c *registrarConn) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// abort ends the association at once and waits for the reader.
func (c *registrarConn) abort(reason string) {
	c.a.Abort(reason)
	<-c.done
}

// close shuts the association down gracefully and waits for the reader.
func (c *registrarConn) close() {
	c.a.Close()
	<-c.done
}

// decodeAnswer decodes the answer b to a request of type req into v,
// turning an ASAP Error message into an *OperationError.
func decodeAnswer(b []byte, req wire.ASAPType, v wire.ASAPValue) error {
	m, err := wire.ParseASAP(b)
	if err != nil {
		return err
	}
	if m.Type() == wire.ASAPError {
		var e wire.ASAPErrorMessage
		if err := m.Decode(&e); err != nil {
			return err
		}
		return operationError(req, e.Error)
	}
	return m.Decode(v)
}

// remoteString formats a registrar as its first address and SCTP port.
func remoteString(r stack.Remote) string {
	if len(r.Addrs) == 0 {
		return fmt.Sprintf("port %d", r.Port)
	}
	return netip.AddrPortFrom(r.Addrs[0], r.Port).String()
}
