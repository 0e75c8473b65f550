package registrar

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/internal/shrinkmap"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// core is the registrar's state: the handlespace, which element belongs to
// which ASAP session, and the counters. The handlespace is not safe for
// concurrent use, so one mutex guards all of it; session goroutines and the
// timer loop take it for each message or timer, and never send on the
// network while holding it.
type core struct {
	mu      sync.Mutex
	cfg     Config // with defaults
	log     logging.LeveledLogger
	hs      *handlespace.Handlespace
	members shrinkmap.Map[*handlespace.PoolElement, *member]
	// perAddr counts the elements registered through the associations
	// from each peer address, for MaxElementsPerAddr.
	perAddr map[netip.Addr]int
	stats   counters
	events  *eventq.Queue[Event]
	enrp    *enrpCore   // nil with ENRP off
	keys    elementKeys // read-only; nil without element keys
	// elements are the encoded parameters of elements resolved.
	elements elementCache
	// wake tells the timer loop that the earliest deadline may have
	// moved; it holds at most one pending signal.
	wake chan struct{}
}

// member is what the registrar keeps about an element it has an ASAP
// session for: one it is home for, or one a peer claimed while that
// session lived, kept on standby (see enrp_claims.go).
type member struct {
	sess    *session // the ASAP association it registered through
	reports int      // Endpoint Unreachable reports so far
	// registered: the element registered through sess, rather than
	// only being sent a Keep-Alive with the Home flag there.
	registered bool
}

func newCore(cfg Config, log logging.LeveledLogger) *core {
	return &core{
		cfg:     cfg,
		log:     log,
		hs:      handlespace.New(handlespace.Options{Seed: cfg.Seed}),
		keys:    newElementKeys(cfg.ElementKeys),
		perAddr: map[netip.Addr]int{},
		events:  eventq.New[Event](cfg.EventQueue),
		wake:    make(chan struct{}, 1),
	}
}

// counted updates the counters under the mutex.
func (c *core) counted(f func(*counters)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// rearm asks the timer loop to look at the earliest deadline again.
func (c *core) rearm() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// member returns what the registrar keeps about e, nil if it is not home
// for e.
func (c *core) member(e *handlespace.PoolElement) *member {
	m := c.binding(e)
	if m == nil || e.Owner() != uint32(c.cfg.ServerID) {
		return nil
	}
	return m
}

// binding returns e's session binding, whether this registrar is its home
// or keeps the binding on standby; nil if it has none.
func (c *core) binding(e *handlespace.PoolElement) *member {
	m, _ := c.members.Get(e)
	return m
}

// bind makes s the session of element e, moving it from another session
// if one that may take it over re-registered it (see mayClaim).
func (c *core) bind(e *handlespace.PoolElement, s *session) {
	m := c.binding(e)
	if m == nil {
		m = &member{}
		c.members.Set(e, m)
	}
	if m.sess != s {
		if m.sess != nil {
			c.unbind(m.sess, e)
		}
		m.sess, m.registered = s, false
		if s.members == nil {
			s.members = map[*handlespace.PoolElement]struct{}{}
		}
		s.members[e] = struct{}{}
		c.perAddr[s.peerAddr()]++
	}
}

// unbind takes e from the elements of s and of its peer address.
func (c *core) unbind(s *session, e *handlespace.PoolElement) {
	delete(s.members, e)
	a := s.peerAddr()
	if c.perAddr[a]--; c.perAddr[a] <= 0 {
		delete(c.perAddr, a)
	}
}

// unbindElement ends e's session binding, if it has one.
func (c *core) unbindElement(e *handlespace.PoolElement) {
	if m := c.binding(e); m != nil {
		c.unbind(m.sess, e)
		c.members.Delete(e)
	}
}

// remove takes e out of the handlespace for the given reason.
func (c *core) remove(e *handlespace.PoolElement, why RemovalReason, now time.Time) {
	info := c.element(e) // before e loses its session
	if !c.hs.Remove(e) {
		return
	}
	ev := Event{Type: EventRemoved, Time: now, Handle: e.Handle(), ID: wire.PEID(e.ID()), Element: &info, Reason: why}
	if m := c.binding(e); m != nil {
		ev.From = m.sess.from
		c.unbindElement(e)
	}
	c.ownerChanged(e, wire.DelPE, now)
	c.stats.removed(why)
	c.events.Post(ev)
	c.log.Infof("removed %s/$%08x: %v", Quote(e.Handle()), e.ID(), why)
	c.rearm()
}

// endSession removes every element registered through s, whose
// association has ended (RSPLIB does the same on COMM_LOST, SHUTDOWN_EVENT
// and SHUTDOWN_COMP). An element a peer owns stays: only its standby
// binding ends.
func (c *core) endSession(s *session, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := range s.members {
		if c.member(e) != nil {
			c.remove(e, RemovedAssociation, now)
		} else {
			c.unbindElement(e)
		}
	}
	s.closed = true
	c.stats.Sessions--
}

// element describes e as the in-process API shows it.
func (c *core) element(e *handlespace.PoolElement) Element {
	el := Element{PoolElement: wireElement(e), Registered: e.Registered(), Expires: e.Expires()}
	if m := c.member(e); m != nil {
		el.ASAPTransport = cloneTransport(m.sess.asap)
		el.Reports = m.reports
	}
	return el
}

// wireElement returns e as a Pool Element parameter without its ASAP
// transport, in fresh memory.
func wireElement(e *handlespace.PoolElement) wire.PoolElement {
	var pe wire.PoolElement
	fillElement(&pe, e)
	return pe
}

// fillElement sets pe to e without its ASAP transport, reusing the address
// list pe holds. The user transport is decoded from the handlespace's copy.
//
// What it reads is the key of the element's entry in elementCache.
func fillElement(pe *wire.PoolElement, e *handlespace.PoolElement) {
	pe.ID = wire.PEID(e.ID())
	pe.HomeServer = wire.ServerID(e.Home())
	pe.RegLife = uint32(e.Lifetime() / time.Millisecond)
	pe.Policy = e.Policy()
	pe.ASAPTransport = wire.Transport{}
	decodeTransport(e.Transport(), &pe.UserTransport)
}

// decodeTransport decodes a transport parameter the registrar encoded
// itself, reusing t's address list.
func decodeTransport(b []byte, t *wire.Transport) {
	if p, err := wire.ParseParam(b); err == nil {
		_ = t.Decode(p) // cannot fail: AppendParam wrote it from a decoded Transport
	}
}

// cloneTransport returns a copy of t that shares no memory with it.
func cloneTransport(t wire.Transport) wire.Transport {
	t.Addrs = slices.Clone(t.Addrs)
	return t
}
