package registrar

import (
	"context"
	"errors"
)

// recvNotifier is a conn that can say when messages arrive
// (*stack.Association does), so that its session needs no goroutine
// while idle.
type recvNotifier interface {
	OnRecv(f func())
}

// noWait is a done context: a read with it takes what is queued and does
// not wait.
var noWait = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// run serves s: on a goroutine of its own that waits in RecvMsg, or, if
// its association can notify, on one started when messages arrive that
// exits once they are answered. Thousands of idle pool elements and users
// then cost the registrar no goroutine each.
func (r *Registrar) run(s *session, c *core) {
	n, ok := s.conn.(recvNotifier)
	if !ok {
		r.wg.Go(func() { s.serve(r.ctx, c) })
		return
	}
	n.OnRecv(func() { s.kick(r, c) })
	s.kick(r, c) // for what arrived before OnRecv
}

// kick makes sure the messages queued for s are answered. The
// association calls it on the goroutine that delivered them, the socket
// reader's usually, which then reads and answers them itself: a request
// and its answer cost no goroutine hand-off. Only what may block goes to
// a goroutine of its own (see drain).
func (s *session) kick(r *Registrar, c *core) {
	if s.kicks.Add(1) == 1 {
		s.drain(r, c, true)
	}
}

// drain answers every queued message of s, then returns, unless kicked
// meanwhile: kicks counts the calls of kick since this drain started,
// and only the drain that resets it to zero may leave. When the session
// is over it ends s and leaves kicks above zero, so that no drain starts
// again.
//
// here says drain runs where kick was called, where it must not block:
// it leaves answers that do not fit the send buffer, and the end of the
// session (Close waits for the SHUTDOWN exchange), to a goroutine, which
// drains on as long as needed.
func (s *session) drain(r *Registrar, c *core, here bool) {
	send := r.ctx
	if here {
		send = noWait
	}
	for {
		seen := s.kicks.Load()
		for {
			err := s.next(noWait, send, r.ctx, c)
			switch {
			case err == nil:
				continue
			case errors.Is(err, errBlocked):
				r.wg.Go(func() { s.resume(r, c) })
				return
			case r.ctx.Err() != nil || !errors.Is(err, context.Canceled):
				if here {
					r.wg.Go(func() { s.end(c) })
				} else {
					s.end(c)
				}
				return
			}
			break // nothing more queued
		}
		if s.kicks.CompareAndSwap(seen, 0) {
			return
		}
	}
}

// resume sends, waiting for room, the answers a drain that could not wait
// left behind, and drains on.
func (s *session) resume(r *Registrar, c *core) {
	if err := s.send(r.ctx); err != nil {
		if s.work != nil { // the registrar closes: errBlocked kept it
			s.release()
		}
		s.end(c)
		return
	}
	s.drain(r, c, false)
}
