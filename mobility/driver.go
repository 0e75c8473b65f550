package mobility

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// driver runs a Controller for one association: it turns the
// association's events, the node's address changes and the answers of
// the registry into the controller's inputs, and carries out its actions.
// One goroutine owns it.
type driver struct {
	ctl     *Controller
	a       Association
	seams   Reattacher
	reg     Registry
	peer    wire.PoolHandle
	onPeer  func(wire.PoolHandle) // the peer named its handle
	addrs   <-chan []netip.Addr
	cards   chan wire.PoolHandle          // the handles of the peer's Business Cards
	results chan func(time.Time) []Action // answers of the work started in the background
	data    <-chan struct{}
	events  *eventq.Queue[Event]
	pending int            // re-attach ASCONFs sent and not answered
	target  netip.Addr     // where the last re-attach ASCONF went
	bg      sync.WaitGroup // the resolutions under way
	own     []netip.Addr   // the node's addresses
	// conn is the Conn the driver fails over after a fallback; without
	// one (tests of the driver alone) a fallback ends the driver.
	conn     *Conn
	fellBack time.Time // when the last fallback happened
}

func newDriver(ctl *Controller, a Association, seams Reattacher, reg Registry,
	addrs <-chan []netip.Addr, data <-chan struct{}, events *eventq.Queue[Event]) *driver {
	return &driver{ctl: ctl, a: a, seams: seams, reg: reg, addrs: addrs, data: data, events: events, own: slices.Clone(ctl.own),
		cards: make(chan wire.PoolHandle, 1), results: make(chan func(time.Time) []Action, 4), onPeer: func(wire.PoolHandle) {}}
}

func (d *driver) run(ctx context.Context) {
	defer d.events.Close()
	defer d.bg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var acts []Action
		select {
		case <-ctx.Done():
			return
		case <-d.a.Done():
			// A graceful shutdown (no error) is the application's
			// doing, not a reason to fail over.
			err := d.a.Err()
			if err == nil {
				if d.conn != nil {
					d.conn.drained(ctx)
				}
				return
			}
			acts = d.ctl.AssociationLost(time.Now(), err)
		case ev := <-d.a.Events():
			acts = d.onStackEvent(ev)
		case h := <-d.cards:
			d.peer = h
			d.onPeer(h)
			d.events.Post(Event{Type: EventPeerHandle, Time: time.Now(), Handle: h})
			acts = d.ctl.PeerKnown(time.Now())
		case addrs := <-d.addrs:
			d.own = addrs
			acts = d.ctl.OwnAddrs(time.Now(), addrs)
		case f := <-d.results:
			acts = f(time.Now())
		case <-d.data:
			acts = d.ctl.DataReceived(time.Now())
		case r := <-d.adopted():
			// The peer failed over before this end noticed anything.
			now := time.Now()
			d.fellBack = now
			d.events.Post(Event{Type: EventFallback, Time: now, Err: ErrPeerFailedOver})
			d.switchTo(r)
			continue
		case <-timer.C:
			acts = d.ctl.Tick(time.Now())
		}
		d.apply(ctx, acts)
		if d.ctl.Failed() {
			if d.conn == nil || !d.failover(ctx) {
				return
			}
		}
		if next := d.ctl.Next(); !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// adopted is the channel of the sessions the acceptor continues over a
// new association; nil (never ready) without a Conn.
func (d *driver) adopted() <-chan failoverResult {
	if d.conn == nil {
		return nil
	}
	return d.conn.adopted
}

// failover carries the Conn on over a new association after a fallback,
// within the handover deadline: the dialler re-dials, the acceptor waits
// for it. It reports whether the Conn goes on.
func (d *driver) failover(ctx context.Context) bool {
	c := d.conn
	if a, ok := d.a.(*stack.Association); ok {
		c.detach(a)
	}
	parent := ctx
	var r failoverResult
	var err error
	if c.dialler {
		ctx, cancel := context.WithTimeout(parent, d.ctl.cfg.Deadline)
		defer cancel()
		r, err = d.redial(ctx)
	} else {
		// The dialler may notice the loss later than this end did, and
		// its own deadline starts then: wait for it twice as long.
		ctx, cancel := context.WithTimeout(parent, 2*d.ctl.cfg.Deadline)
		defer cancel()
		r, err = d.awaitDialler(ctx)
	}
	if err != nil {
		if parent.Err() != nil {
			return false // the Conn or the node closed
		}
		d.events.Post(Event{Type: EventFailoverFailed, Time: time.Now(), Since: time.Since(d.fellBack), Err: err})
		c.end(fmt.Errorf("%w: %w", ErrConnEnded, err))
		return false
	}
	d.switchTo(r)
	return true
}

// awaitDialler waits until the dialler continued the session, keeping
// track of the node's addresses for the next controller.
func (d *driver) awaitDialler(ctx context.Context) (failoverResult, error) {
	for {
		select {
		case r := <-d.conn.adopted:
			return r, nil
		case d.own = <-d.addrs:
		case <-ctx.Done():
			return failoverResult{}, fmt.Errorf("mobility: the peer did not continue the session: %w", ctx.Err())
		}
	}
}

// redial continues the session over a new association, or fails when
// ctx ends. Like a handover, it resolves the peer as soon as the node has
// an address, again after a doubling back-off (the same as a handover's,
// from its first step again when the node's addresses change), and dials
// each element it learns without waiting for the dials under way: the
// first resolution may still name the peer's old address, where an INIT
// goes unanswered. The first association that comes up carries the
// session on; the others are aborted.
func (d *driver) redial(ctx context.Context) (failoverResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	dials := &dialer{n: d.conn.node, ctx: ctx, up: make(chan dialed), pending: map[string]bool{}}
	defer func() {
		cancel() // the dials still under way
		dials.wg.Wait()
	}()
	backoff := d.ctl.cfg.ResolveBackoff
	resolve := time.After(0)
	var last error
	for {
		if len(d.own) == 0 {
			resolve = nil // no address to resolve or dial from
		}
		select {
		case <-resolve:
			els, err := d.reg.Resolve(ctx, d.conn.PeerHandle())
			d.events.Post(Event{Type: EventPeerResolved, Time: time.Now(), Since: time.Since(d.fellBack), Addrs: elementAddrs(els), Err: err})
			dials.start(els)
			resolve = time.After(backoff)
			backoff = min(2*backoff, d.ctl.cfg.ResolveBackoffMax)
		case r := <-dials.up:
			dials.done(r.key)
			if r.err != nil {
				last = r.err
				continue
			}
			res, err := d.conn.resume(ctx, r.a)
			if err == nil {
				return res, nil
			}
			last = err
		case d.own = <-d.addrs:
			backoff, resolve = d.ctl.cfg.ResolveBackoff, time.After(0)
		case <-ctx.Done():
			if last == nil {
				last = ctx.Err()
			}
			return failoverResult{}, fmt.Errorf("%w (last: %w)", ctx.Err(), last)
		}
	}
}

func elementAddrs(els []wire.PoolElement) []netip.Addr {
	var out []netip.Addr
	for _, e := range els {
		out = append(out, e.UserTransport.Addrs...)
	}
	return out
}

// dialer sets up associations with pool elements in the background, one
// at a time per element transport, until its context ends.
type dialer struct {
	n       *Node
	ctx     context.Context
	up      chan dialed
	pending map[string]bool // the transports being dialled; owned by the driver
	wg      sync.WaitGroup
}

type dialed struct {
	key string
	a   *stack.Association
	err error
}

func (d *dialer) start(els []wire.PoolElement) {
	for _, e := range els {
		t := e.UserTransport
		key := fmt.Sprint(t.Addrs, t.Port)
		if d.pending[key] || len(t.Addrs) == 0 {
			continue
		}
		d.pending[key] = true
		d.wg.Go(func() {
			a, err := d.n.ep.Dial(d.ctx, stack.Remote{Addrs: t.Addrs, Port: t.Port, UDPPort: t.Port})
			select {
			case d.up <- dialed{key: key, a: a, err: err}:
			case <-d.ctx.Done():
				if a != nil {
					a.Abort("mobility: the session went on over another association")
				}
			}
		})
	}
}

func (d *dialer) done(key string) { delete(d.pending, key) }

// switchTo makes the driver follow the Conn's new association, with a new
// controller.
func (d *driver) switchTo(r failoverResult) {
	cfg := d.ctl.cfg
	d.a, d.seams = r.a, stackReattacher{a: r.a, hold: d.seams.(stackReattacher).hold}
	d.ctl = NewController(cfg, d.own)
	d.pending, d.target = 0, netip.Addr{}
	now := time.Now()
	d.events.Post(Event{Type: EventFailoverComplete, Time: now, Addr: r.a.RemoteAddr().Addr(), Since: now.Sub(d.fellBack), Resent: r.resent})
}

// onStackEvent translates an association event into controller input.
func (d *driver) onStackEvent(ev stack.Event) []Action {
	now := time.Now()
	switch ev.Type {
	case stack.EventPathConfirmed, stack.EventPathUp:
		return d.ctl.PathConfirmed(now, ev.Addr.Addr())
	case stack.EventPathDown:
		if !anyActive(d.a.Paths()) {
			return d.ctl.AllPathsDown(now)
		}
	case stack.EventHandoverHold:
		return d.ctl.AllPathsDown(now)
	case stack.EventHandoverResumed:
		// The peer answered: our ASCONF, at the re-attach target if we
		// sent one there, else on the primary path.
		if d.target.IsValid() {
			return d.ctl.PathConfirmed(now, d.target)
		}
		if p, ok := primary(d.a.Paths()); ok {
			return d.ctl.PathConfirmed(now, p.Remote.Addr())
		}
	case stack.EventRestart:
		// The peer lost its state: what was in flight is gone, and the
		// association is no longer this session's.
		return d.ctl.AssociationLost(now, ErrPeerRestarted)
	case stack.EventASCONF:
		if d.pending > 0 {
			d.pending--
			return d.ctl.ASCONFAcked(now, ev.Addr.Addr(), ev.Err)
		}
	}
	return nil
}

// primary returns the primary path, if any.
func primary(paths []stack.PathInfo) (stack.PathInfo, bool) {
	for _, p := range paths {
		if p.Primary {
			return p, true
		}
	}
	return stack.PathInfo{}, false
}

func anyActive(paths []stack.PathInfo) bool {
	for _, p := range paths {
		if p.State == stack.PathActive || p.State == stack.PathPotentiallyFailed {
			return true
		}
	}
	return false
}

// apply carries out the controller's actions. Resolutions run in the
// background; their answers come back through results. The actions are
// copied first: the controller reuses their slice on its next call.
func (d *driver) apply(ctx context.Context, acts []Action) {
	for _, a := range slices.Clone(acts) {
		switch a.Type {
		case ActEmit:
			d.events.Post(a.Event)
		case ActResolvePeer:
			peer := d.peer
			d.bg.Go(func() { d.resolve(ctx, peer) })
		case ActSendReattach:
			if err := d.seams.SendReattach(a.To, a.Addrs); err != nil {
				// Reported as the answer, so that the event says why.
				d.apply(ctx, d.ctl.ASCONFAcked(time.Now(), a.To, err))
				continue
			}
			d.pending++
			d.target = a.To
		case ActFallback:
			d.fellBack = a.Event.Time // the driver's loop fails over next
		case ActReregister:
			// The node re-registers, once for all its associations.
		}
	}
}

func (d *driver) resolve(ctx context.Context, peer wire.PoolHandle) {
	els, err := d.reg.Resolve(ctx, peer)
	var addrs []netip.Addr
	for _, e := range els {
		addrs = append(addrs, e.UserTransport.Addrs...)
	}
	select {
	case d.results <- func(now time.Time) []Action { return d.ctl.Resolved(now, addrs, err) }:
	case <-ctx.Done():
	}
}
