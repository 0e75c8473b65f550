package asap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// DefaultRequestTimeout bounds a registrar's answer to a request, and the
// setup of an association with it (RSPLIB's registrar request timeout).
const DefaultRequestTimeout = 3 * time.Second

// registrarSet keeps at most one association with a registrar: one of a
// static list, or one heard in Server Announces. When that registrar fails
// it moves on to the next one of the list, wrapping around, so that a
// registrar that failed is tried again last.
type registrarSet struct {
	ep          *stack.Endpoint
	static      []stack.Remote
	announces   *Announces // nil: the static list only
	timeout     time.Duration
	key         uint16 // the key registrars must prove themselves with (registrarConn.key)
	unsolicited func(*registrarConn, wire.ASAPMessage)

	mu   huntLock // held while hunting, so that only one hunt runs
	next int      // index of the registrar to try first, modulo the list's length
	conn *registrarConn

	// opened are the associations registrars opened to this endpoint
	// (see acceptLoop), which a hunt uses instead of dialing a second.
	openedMu sync.Mutex
	opened   map[*stack.Association]*registrarConn
}

func newRegistrarSet(ep *stack.Endpoint, static []stack.Remote, announces *Announces, timeout time.Duration,
	unsolicited func(*registrarConn, wire.ASAPMessage)) *registrarSet {
	return &registrarSet{ep: ep, static: static, announces: announces, timeout: timeout, unsolicited: unsolicited, mu: newHuntLock()}
}

// errNoneHeard is the failure to hunt with an empty list: no registrar is
// configured and none has announced itself yet.
var errNoneHeard = fmt.Errorf("%w: none heard of yet (no Server Announce)", ErrNoRegistrar)

// list returns the registrars to hunt among: the static list, then those
// heard in Server Announces that it does not name already. Announces are
// read anew at every hunt, as registrars come and go.
func (s *registrarSet) list() []stack.Remote {
	if s.announces == nil {
		return s.static
	}
	list := slices.Clip(s.static) // appending must not write into the caller's array
	for _, r := range s.announces.Registrars() {
		if !slices.ContainsFunc(s.static, func(x stack.Remote) bool { return sameRegistrar(x, r) }) {
			list = append(list, r)
		}
	}
	return list
}

// get returns the current association, or sets one up with the first
// registrar, from next on, that answers within the timeout.
func (s *registrarSet) get(ctx context.Context) (*registrarConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil && !s.conn.ended() {
		return s.conn, nil
	}
	list := s.list()
	if len(list) == 0 {
		return nil, errNoneHeard
	}
	var tried []string
	for range list {
		r := list[s.next%len(list)]
		s.next = (s.next + 1) % len(list)
		dctx, cancel := context.WithTimeout(ctx, s.timeout)
		a, err := s.ep.Dial(dctx, r)
		cancel()
		if err == nil {
			s.conn = newRegistrarConn(a, r, s.key, s.unsolicited)
			return s.conn, nil
		}
		if c := s.openedBy(err); c != nil {
			s.conn = c
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		tried = append(tried, strings.TrimPrefix(err.Error(), "sctp: "))
	}
	return nil, fmt.Errorf("%w: tried %s", ErrNoRegistrar, strings.Join(tried, "; "))
}

// welcome keeps c, an association a registrar of the list opened to this
// endpoint, for a hunt that reaches that registrar: SCTP allows one
// association between two endpoints, so Dial refuses a second one.
func (s *registrarSet) welcome(c *registrarConn) {
	s.openedMu.Lock()
	defer s.openedMu.Unlock()
	if s.opened == nil {
		s.opened = make(map[*stack.Association]*registrarConn)
	}
	for a, o := range s.opened {
		if o.ended() {
			delete(s.opened, a)
		}
	}
	s.opened[c.a] = c
}

// openedBy returns the association a registrar opened that made Dial
// fail with err, if that is why it failed and it is still up.
func (s *registrarSet) openedBy(err error) *registrarConn {
	var ae *stack.AssociatedError
	if !errors.As(err, &ae) {
		return nil
	}
	s.openedMu.Lock()
	defer s.openedMu.Unlock()
	if c := s.opened[ae.Association]; c != nil && !c.ended() {
		return c
	}
	return nil
}

// drop aborts c, if it is still the current association, so that the next
// get moves on to the next registrar.
func (s *registrarSet) drop(c *registrarConn, reason string) {
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	s.mu.Unlock()
	c.abort(reason)
}

// do sends a request and returns the answer, trying each registrar of the
// list at most once: one that fails or does not answer in time is dropped.
// A refusal is an answer, returned as an *OperationError by the caller's
// decoding. With an empty list it tries once, for get to say why.
func (s *registrarSet) do(ctx context.Context, v wire.ASAPValue, want wire.ASAPType, handle []byte) ([]byte, error) {
	var last error = ErrNoRegistrar
	for range max(1, len(s.list())) {
		c, err := s.get(ctx)
		if err != nil {
			return nil, err
		}
		rctx, cancel := context.WithTimeout(ctx, s.timeout)
		b, err := c.request(rctx, v, want, handle)
		cancel()
		if err == nil {
			return b, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		last = err
		s.drop(c, dropReason(err))
	}
	return nil, errors.Join(ErrNoRegistrar, last)
}

// dropReason is the reason given in the ABORT of a registrar association
// whose answer a request did not get.
func dropReason(err error) string {
	if errors.Is(err, ErrRegistrarNotProven) {
		return "registrar did not prove itself"
	}
	return "no answer"
}

// send sends a message that has no answer.
func (s *registrarSet) send(ctx context.Context, v wire.ASAPValue) error {
	c, err := s.get(ctx)
	if err != nil {
		return err
	}
	return c.send(ctx, v)
}

// close shuts the current association down gracefully.
func (s *registrarSet) close() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
}
