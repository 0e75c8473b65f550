package asap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// run connects, reads until the association ends, and fails over, until
// Close.
func (s *Session) run() {
	defer close(s.done)
	var old *wire.PoolElement
	failed := false
	for {
		a, el, ok := s.failover(old, failed)
		if !ok {
			return
		}
		end := s.read(a)
		if s.ctx.Err() != nil {
			return // Close shuts the association down
		}
		s.detach(a)
		old, failed = &el, !errors.Is(end, io.EOF)
		if failed {
			s.post(SessionEvent{Type: SessionElementLost, Old: el, Err: end})
			s.u.reportInBackground(s.handle, el.ID)
			continue
		}
		// The element ended the session gracefully: connect again only
		// when there is something to send, or a service that closes after
		// answering (daytime) would be called again and again.
		s.post(SessionEvent{Type: SessionElementClosed, Old: el})
		if !s.waitForWork() {
			return
		}
	}
}

// failover connects to an element and hands it the session. If old failed
// it is not tried at first; if it closed the session gracefully, others
// are tried before it, since it is likely shutting down. Every candidate
// is tried in turn, then after RetryDelay all of them again, until one
// answers or the session closes.
func (s *Session) failover(old *wire.PoolElement, failed bool) (*stack.Association, wire.PoolElement, bool) {
	start := time.Now()
	excluded := make(map[wire.PEID]bool)
	var last wire.PEID
	switch {
	case old != nil && failed:
		excluded[old.ID] = true
	case old != nil:
		last = old.ID
	}
	for {
		els, err := s.candidates(excluded, last)
		if len(els) == 0 && s.ctx.Err() == nil {
			s.post(SessionEvent{Type: SessionResolveFailed, Err: err})
		}
		for _, el := range els {
			a, err := s.dial(el)
			if err == nil {
				s.attach(a, el, old, start)
				return a, el, true
			}
			if s.ctx.Err() != nil {
				return nil, el, false
			}
			excluded[el.ID] = true
			s.post(SessionEvent{Type: SessionConnectFailed, New: el, Err: err})
			if !errors.Is(err, stack.ErrAssociated) {
				// Associated already: another session of this user's
				// endpoint is connected to el, which is alive.
				s.u.reportInBackground(s.handle, el.ID)
			}
		}
		if old == nil && s.giveUp(start, err) {
			return nil, wire.PoolElement{}, false
		}
		sleep(s.ctx, s.cfg.RetryDelay)
		if s.ctx.Err() != nil {
			return nil, wire.PoolElement{}, false
		}
		clear(excluded) // failed elements may have come back
	}
}

// giveUp reports whether the first connection has been tried for longer
// than ConnectWait, and if so records why for Connect. resolveErr is the
// last resolution's error, nil if it found elements.
func (s *Session) giveUp(start time.Time, resolveErr error) bool {
	if s.cfg.ConnectWait < 0 || time.Since(start) < s.cfg.ConnectWait {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	why := resolveErr
	if why == nil {
		why = s.lastErr
	}
	s.gaveUp = fmt.Errorf("asap: no element of pool %q reached: %w", s.handle, why)
	return true
}

// candidates returns the elements to try: those of the last Business Card,
// then those of a handle resolution, each once, without the excluded ones
// and without those that cannot be reached over SCTP, and with last at the
// end. With none, the error says why.
func (s *Session) candidates(excluded map[wire.PEID]bool, last wire.PEID) ([]wire.PoolElement, error) {
	s.mu.Lock()
	card := s.card
	s.mu.Unlock()
	resolved, err := s.u.Resolve(s.ctx, s.handle)
	var out []wire.PoolElement
	seen := make(map[wire.PEID]bool)
	for _, el := range slices.Concat(card, resolved) {
		if excluded[el.ID] || seen[el.ID] || el.UserTransport.Type != wire.ParamSCTPTransport || len(el.UserTransport.Addrs) == 0 {
			continue
		}
		seen[el.ID] = true
		out = append(out, el)
	}
	if i := slices.IndexFunc(out, func(el wire.PoolElement) bool { return el.ID == last }); i >= 0 {
		el := out[i]
		out = append(slices.Delete(out, i, i+1), el)
	}
	if len(out) == 0 && err == nil {
		err = ErrNoElement
	}
	return out, err
}

// dial sets up an association with el, on the UDP port equal to its SCTP
// port (see the package documentation).
func (s *Session) dial(el wire.PoolElement) (*stack.Association, error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.ConnectTimeout)
	defer cancel()
	t := el.UserTransport
	return s.u.ep.Dial(ctx, stack.Remote{Addrs: t.Addrs, Port: t.Port, UDPPort: t.Port})
}

// attach makes a the session's association: it echoes the last cookie, so
// that the element can restore the session's state before anything else,
// then resends every unacknowledged message in order.
func (s *Session) attach(a *stack.Association, el wire.PoolElement, old *wire.PoolElement, start time.Time) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	cookie, resend := s.cookie, slices.Clone(s.unacked)
	s.mu.Unlock()
	echoed := cookie != nil && sendASAP(s.ctx, a, &wire.CookieEcho{Cookie: cookie}) == nil
	// A failed send means a is already failing: the next failover resends.
	for _, p := range resend {
		if a.SendMsg(s.ctx, p.data, p.info) != nil {
			break
		}
	}
	s.mu.Lock()
	s.assoc, s.element = a, el
	if old != nil {
		s.stats.Failovers++
		s.stats.Resent += uint64(len(resend))
	}
	s.mu.Unlock()
	if old == nil {
		s.post(SessionEvent{Type: SessionConnected, New: el})
		close(s.up)
		return
	}
	s.post(SessionEvent{Type: SessionFailover, Old: *old, New: el, Took: time.Since(start), Resent: len(resend), CookieEcho: echoed})
}

// detach forgets a, which has ended.
func (s *Session) detach(a *stack.Association) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.assoc == a {
		s.assoc = nil
	}
}

// waitForWork waits until a message waits to be sent; false if the
// session closed.
func (s *Session) waitForWork() bool {
	select {
	case <-s.wake: // a stale token: the messages it announced went out
	default:
	}
	if s.Stats().Unacked > 0 {
		return true
	}
	select {
	case <-s.wake:
		return true
	case <-s.ctx.Done():
		return false
	}
}
