package mobility

import (
	"context"
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
}

func newDriver(ctl *Controller, a Association, seams Reattacher, reg Registry,
	addrs <-chan []netip.Addr, data <-chan struct{}, events *eventq.Queue[Event]) *driver {
	return &driver{ctl: ctl, a: a, seams: seams, reg: reg, addrs: addrs, data: data, events: events,
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
			if err := d.a.Err(); err != nil {
				d.apply(ctx, d.ctl.AssociationLost(time.Now(), err))
			}
			return
		case ev := <-d.a.Events():
			acts = d.onStackEvent(ev)
		case h := <-d.cards:
			d.peer = h
			d.onPeer(h)
			d.events.Post(Event{Type: EventPeerHandle, Time: time.Now(), Handle: h})
			acts = d.ctl.PeerKnown(time.Now())
		case addrs := <-d.addrs:
			acts = d.ctl.OwnAddrs(time.Now(), addrs)
		case f := <-d.results:
			acts = f(time.Now())
		case <-d.data:
			acts = d.ctl.DataReceived(time.Now())
		case <-timer.C:
			acts = d.ctl.Tick(time.Now())
		}
		d.apply(ctx, acts)
		if next := d.ctl.Next(); !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
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
		case ActReregister, ActFallback:
			// The node re-registers for all its associations; a fallback
			// is reported by its event, and the application dials anew.
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
