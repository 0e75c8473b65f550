package registrar

import (
	"context"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// A registrar watches the pool elements it is home for (RFC 5352, as RSPLIB
// does it): KeepAliveInterval after an element registered or last answered,
// it sends an Endpoint Keep-Alive over the element's ASAP association and
// waits KeepAliveTimeout for the Ack. Without one, it removes the element
// and aborts the association, which removes the other elements registered
// through it too. Independently, an element whose registration life ends
// without a re-registration is removed, and so is one that enough pool
// users report unreachable.

// keepAliveAck handles an Endpoint Keep-Alive Ack: the element is alive,
// and its next keep-alive is due an interval from now. Acks from another
// association than the element's do not count: they would let anyone keep
// a dead element in the pool.
func (c *core) keepAliveAck(s *session, ack *wire.EndpointKeepAliveAck, now time.Time) {
	e := c.hs.Lookup(ack.Handle, uint32(ack.PEID))
	if m := c.member(e); e == nil || m == nil || m.sess != s {
		c.stats.Ignored++
		c.log.Debugf("keep-alive ack from %v for %s/$%08x, not its element", s.from, Quote(string(ack.Handle)), uint32(ack.PEID))
		return
	}
	c.stats.KeepAliveAcks++
	c.hs.StopTimer(e, handlespace.KeepAliveTimeout)
	c.hs.SetTimer(e, handlespace.KeepAlive, now.Add(c.cfg.KeepAliveInterval))
	c.rearm()
}

// unreachable counts an Endpoint Unreachable report against the element
// and removes it when the reports reach the threshold.
func (c *core) unreachable(s *session, u *wire.EndpointUnreachable, now time.Time) {
	c.stats.Unreachables++
	e := c.hs.Lookup(u.Handle, uint32(u.PEID))
	m := c.member(e)
	if e == nil || m == nil {
		return
	}
	m.reports++
	c.log.Debugf("%v reports %s/$%08x unreachable (%d of %d)", s.from, Quote(string(u.Handle)), uint32(u.PEID), m.reports, c.cfg.UnreachableThreshold)
	if m.reports >= c.cfg.UnreachableThreshold {
		c.remove(e, RemovedUnreachable, now)
	}
}

// timerActions is what firing timers leaves to do once the mutex is
// released: keep-alives to send and associations to abort.
type timerActions struct {
	keepAlives []keepAlive
	aborts     []*session
}

type keepAlive struct {
	s   *session
	msg []byte
}

// maxFire is the most timers fire runs while holding the mutex: when many
// fall due at once (elements registered in one burst), sessions get their
// turn between batches, and a batch's keep-alives go out before the next.
const maxFire = 256

// fire runs up to maxFire element timers due at now, filling acts, and
// returns the next deadline (now, if more are due), if any timer is armed.
func (c *core) fire(now time.Time, acts *timerActions) (next time.Time, armed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range maxFire {
		t, due := c.hs.PopDue(now)
		if !due {
			break
		}
		switch t.Kind {
		case handlespace.KeepAlive:
			c.sendKeepAlive(t.Element, now, acts)
		case handlespace.KeepAliveTimeout:
			if m := c.member(t.Element); m != nil && !m.sess.closed {
				acts.aborts = append(acts.aborts, m.sess)
			}
			c.remove(t.Element, RemovedKeepAliveTimeout, now)
		case handlespace.Expiry:
			c.remove(t.Element, RemovedExpired, now)
		}
	}
	d, armed := c.hs.NextDeadline()
	return d.At, armed
}

// sendKeepAlive prepares the keep-alive of e and arms its timeout. It
// carries the PE Identifier, as RSPLIB's keep-alives do: its pool
// elements answer for the identifier they find there.
func (c *core) sendKeepAlive(e *handlespace.PoolElement, now time.Time, acts *timerActions) {
	m := c.member(e)
	if m == nil || m.sess.closed {
		return
	}
	ka := wire.EndpointKeepAlive{ServerID: c.cfg.ServerID, Handle: wire.PoolHandle(e.Handle()), PEID: wire.PEID(e.ID())}
	acts.keepAlives = append(acts.keepAlives, keepAlive{m.sess, wire.AppendASAP(nil, &ka)})
	c.hs.SetTimer(e, handlespace.KeepAliveTimeout, now.Add(c.cfg.KeepAliveTimeout))
	c.stats.KeepAlivesSent++
}

// doneContext is already canceled: SendMsg with it queues a message if the
// send buffer has room and fails at once otherwise, instead of waiting.
var doneContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// perform carries out acts and empties it. Keep-alives never wait for
// room in a send buffer: the timer loop serves every element, and an
// element whose association is that congested is as good as unreachable;
// its keep-alive timeout will tell.
func (c *core) perform(acts *timerActions) {
	for _, ka := range acts.keepAlives {
		if err := ka.s.conn.SendMsg(doneContext, ka.msg, stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
			c.counted(func(s *counters) { s.KeepAliveMissed++ })
		}
	}
	for _, s := range acts.aborts {
		s.conn.Abort("ASAP keep-alive timeout")
	}
	clear(acts.keepAlives)
	clear(acts.aborts)
	acts.keepAlives, acts.aborts = acts.keepAlives[:0], acts.aborts[:0]
}
