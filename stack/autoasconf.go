package stack

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/pion/transport/v5/netchange"

	"github.com/mobisctp/mobisctp/addip"
)

// AutoASCONF: the endpoint watches the host's interfaces and tells every
// association about local addresses that appear (Add IP Address, and Set
// Primary Address if AutoSetPrimary) and disappear (Delete IP Address). An
// address must stay present, or absent, for AddressHold before anything
// happens, so that a flapping interface causes no churn.

// AddressWatcher reports the host's addresses. Next blocks until they may
// have changed, then returns them all; the first call returns at once.
type AddressWatcher interface {
	Next(ctx context.Context) ([]netip.Addr, error)
}

// netchangeWatcher is the AddressWatcher of the real host, on pion's
// netchange detector (netlink on Linux, polling elsewhere).
type netchangeWatcher struct{ d *netchange.Detector }

// NewHostWatcher watches the host's interfaces.
func NewHostWatcher() (AddressWatcher, error) {
	d, err := netchange.NewDetector()
	if err != nil {
		return nil, err
	}
	return &netchangeWatcher{d: d}, nil
}

func (w *netchangeWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	if _, err := w.d.Check(ctx); err != nil {
		return nil, err
	}
	ifs, err := w.d.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, ifc := range ifs {
		as, _ := ifc.Addrs()
		for _, p := range netPrefixes(as) {
			out = append(out, p.Addr())
		}
	}
	return out, nil
}

// addrTracker applies the hysteresis: it remembers since when each address
// has been seen (not yet in use) or missed (still in use).
type addrTracker struct {
	seen, missed map[netip.Addr]time.Time
}

// observe records the addresses present at now, given those in use.
func (t *addrTracker) observe(now time.Time, present, inUse []netip.Addr) {
	for _, a := range present {
		delete(t.missed, a)
		if !slices.Contains(inUse, a) {
			if _, ok := t.seen[a]; !ok {
				t.seen[a] = now
			}
		}
	}
	for a := range t.seen {
		if !slices.Contains(present, a) {
			delete(t.seen, a) // gone again before it counted: a flap
		}
	}
	for _, a := range inUse {
		if !slices.Contains(present, a) {
			if _, ok := t.missed[a]; !ok {
				t.missed[a] = now
			}
		}
	}
}

// due returns the addresses that have been seen, or missed, for at least
// hold at now, and forgets them; next is the next time something becomes
// due (zero if nothing waits).
func (t *addrTracker) due(now time.Time, hold time.Duration) (added, removed []netip.Addr, next time.Time) {
	take := func(m map[netip.Addr]time.Time) []netip.Addr {
		var out []netip.Addr
		for a, since := range m {
			if at := since.Add(hold); !now.Before(at) {
				out = append(out, a)
				delete(m, a)
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
		slices.SortFunc(out, netip.Addr.Compare)
		return out
	}
	return take(t.seen), take(t.missed), next
}

// autoASCONF runs until ctx ends, turning address changes into ASCONF
// requests on every association.
func (ep *Endpoint) autoASCONF(ctx context.Context, w AddressWatcher) {
	changes := make(chan []netip.Addr)
	go func() {
		defer close(changes)
		for {
			addrs, err := w.Next(ctx)
			if err != nil {
				return
			}
			select {
			case changes <- addrs:
			case <-ctx.Done():
				return
			}
		}
	}()
	t := addrTracker{seen: map[netip.Addr]time.Time{}, missed: map[netip.Addr]time.Time{}}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case addrs, ok := <-changes:
			if !ok {
				return
			}
			t.observe(time.Now(), ep.eligible(addrs), ep.conn.LocalAddrs())
		case <-timer.C:
		}
		added, removed, next := t.due(time.Now(), ep.cfg.AddressHold)
		ep.applyAddressChanges(added, removed)
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// eligible keeps the addresses AutoASCONF may use: unicast, of a family
// the endpoint already uses, and loopback only for a loopback endpoint.
func (ep *Endpoint) eligible(addrs []netip.Addr) []netip.Addr {
	bound := ep.conn.LocalAddrs()
	var out []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsMulticast() || a.IsUnspecified() || a.IsLinkLocalUnicast() {
			continue
		}
		ok := false
		for _, b := range bound {
			ok = ok || (sameFamily(a, b) && (scopeOf(a) == scopeOf(b) || !a.IsLoopback()))
		}
		if ok || len(bound) == 0 {
			out = append(out, a)
		}
	}
	return out
}

// applyAddressChanges binds new addresses and asks every association's
// peer to add them, and to delete vanished ones.
func (ep *Endpoint) applyAddressChanges(added, removed []netip.Addr) {
	for _, addr := range added {
		if err := ep.bind(addr); err != nil {
			ep.log.Warnf("AutoASCONF: %v", err)
			continue
		}
		for _, a := range ep.associations() {
			a.autoAdd(addr, ep.cfg.AutoSetPrimary)
		}
	}
	for _, addr := range removed {
		for _, a := range ep.associations() {
			a.autoRemove(addr)
		}
		// The address is gone from the host: its socket can neither send
		// nor receive any more.
		if err := ep.conn.RemoveAddr(addr); err != nil {
			ep.log.Debugf("AutoASCONF: %v", err)
		}
		ep.forgetRoutes()
	}
}

// associations lists the endpoint's associations.
func (ep *Endpoint) associations() []*Association {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	seen := make([]*Association, 0, len(ep.byTag))
	for _, a := range ep.byTag {
		if !slices.Contains(seen, a) {
			seen = append(seen, a)
		}
	}
	return seen
}

// autoAdd and autoRemove queue the requests on the loop; an association
// whose peer cannot take ASCONF just reports the event.
func (a *Association) autoAdd(addr netip.Addr, primary bool) {
	a.exec(func() {
		a.emit(Event{Type: EventLocalAddrAdded, Addr: netip.AddrPortFrom(addr, 0)})
		if a.queueASCONF(addip.AddIP, addr) == nil && primary {
			_ = a.queueASCONF(addip.SetPrimary, addr)
			a.addip.moveTo = addr
		}
	})
}

func (a *Association) autoRemove(addr netip.Addr) {
	a.exec(func() {
		a.emit(Event{Type: EventLocalAddrRemoved, Addr: netip.AddrPortFrom(addr, 0)})
		_ = a.queueASCONF(addip.DeleteIP, addr)
	})
}

// startAutoASCONF starts the address watcher if the configuration asks
// for it; Close stops it.
func (ep *Endpoint) startAutoASCONF() error {
	if !ep.cfg.AutoASCONF {
		return nil
	}
	w := ep.cfg.AddressWatcher
	if w == nil {
		var err error
		if w, err = NewHostWatcher(); err != nil {
			return fmt.Errorf("sctp: AutoASCONF: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ep.stopWatch = cancel
	ep.loops.Add(1)
	go func() {
		defer ep.loops.Done()
		ep.autoASCONF(ctx, w)
	}()
	return nil
}
