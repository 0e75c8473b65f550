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

// kick makes sure a goroutine drains s. The association calls it under a
// lock, so it only counts and starts one.
func (s *session) kick(r *Registrar, c *core) {
	if s.kicks.Add(1) == 1 {
		r.wg.Go(func() { s.drain(r.ctx, c) })
	}
}

// drain answers every queued message of s, then exits, unless kicked
// meanwhile: kicks counts the calls of kick since this goroutine started,
// and only the drain that resets it to zero may leave. When the session
// is over it ends s and leaves kicks above zero, so that no drain starts
// again.
func (s *session) drain(ctx context.Context, c *core) {
	for {
		seen := s.kicks.Load()
		for {
			err := s.next(noWait, ctx, c)
			if err == nil {
				continue
			}
			if ctx.Err() != nil || !errors.Is(err, context.Canceled) {
				s.end(c)
				return
			}
			break // nothing more queued
		}
		if s.kicks.CompareAndSwap(seen, 0) {
			return
		}
	}
}
