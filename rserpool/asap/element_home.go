package asap

import (
	"context"
	"errors"
	"fmt"

	"github.com/mobisctp/mobisctp/stack"
)

// A registrar that takes over the elements of a failed peer (RFC 5353
// section 3.9), or whose peer suggested it should, dials each element and
// sends it an Endpoint Keep-Alive with the Home flag. The element answers
// it and adopts that association as its registrar association (RFC 5352
// section 3.8): its re-registrations go there from then on, and the
// association with the old home, dead or not, is aborted. The element
// keeps its identifier and stays registered all along.

// acceptLoop accepts the associations that reach the element's endpoint
// until the endpoint closes. Those opened by a registrar the element knows
// (its list, or a Server Announce) carry keep-alives and are kept as
// registrar associations (the element's hunt for a registrar uses such
// an association rather than dial a second); the others are pool users',
// for Accept. When Accept is not called often enough, pool users beyond
// the backlog are refused, as stack.Endpoint refuses them.
func (e *Element) acceptLoop() {
	defer close(e.users)
	for {
		a, err := e.ep.Accept(context.Background())
		if err != nil {
			e.acceptErr = err
			return
		}
		if r, ok := e.regs.known(a); ok {
			e.regs.welcome(newRegistrarConn(a, r, e.cfg.KeyID, e.keepAlive))
			continue
		}
		select {
		case e.users <- a:
		default:
			a.Abort("pool element's accept backlog is full")
		}
	}
}

// known returns the registrar of the list or of the announces whose
// address and port association a comes from, if any.
func (s *registrarSet) known(a *stack.Association) (stack.Remote, bool) {
	from := stack.Remote{Port: a.PeerPort()}
	for _, p := range a.Paths() {
		from.Addrs = append(from.Addrs, p.Remote.Addr().Unmap())
		from.UDPPort = p.Remote.Port()
	}
	for _, r := range s.list() {
		if sameRegistrar(r, from) {
			return from, true
		}
	}
	return stack.Remote{}, false
}

// home makes c, over which a registrar sent a Keep-Alive with the Home
// flag, the element's registrar association, unless it is already. It runs
// on c's reader goroutine, which must go on reading for the registration
// to be answered.
func (e *Element) home(c *registrarConn) {
	if e.regs.current() != c {
		go e.moveHome(c)
	}
}

// moveHome registers over c and, once c's registrar accepted it, makes c
// the registrar association. Registering first means the new home has
// told its peers (Handle Update) before the old association ends: a live
// old home then no longer counts the element as its own when that end
// would otherwise remove it.
func (e *Element) moveHome(c *registrarConn) {
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.RequestTimeout)
	defer cancel()
	if err := e.register(ctx, c); err != nil {
		if errors.Is(err, ErrRegistrarNotProven) {
			c.abort(dropReason(err))
		}
		if e.ctx.Err() == nil {
			e.post(ElementRegistrationFailed, c, fmt.Errorf("asap: new home registrar: %w", err))
		}
		return
	}
	if e.regs.adopt(c, func(old *registrarConn) { e.movedFrom.Store(old) }) {
		e.registered.Store(true)
		e.post(ElementHomeChanged, c, nil)
	}
}

// current returns the registrar association in use, if any. It does not
// wait for a hunt under way.
func (s *registrarSet) current() *registrarConn {
	select {
	case s.mu <- struct{}{}:
		defer s.mu.Unlock()
		return s.conn
	default:
		return nil
	}
}

// adopt makes c the registrar association and aborts the previous one,
// after passing it to replaced; it reports false if c is the current one
// already or has ended.
func (s *registrarSet) adopt(c *registrarConn, replaced func(*registrarConn)) bool {
	s.mu.Lock()
	old := s.conn
	if old == c || c.ended() {
		s.mu.Unlock()
		return false
	}
	s.conn = c
	s.mu.Unlock()
	if old != nil {
		replaced(old)
		old.abort(fmt.Sprintf("registrar %v took over as home", remoteString(c.remote)))
	}
	return true
}
