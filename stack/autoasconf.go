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

// due returns the addresses that have been seen for at least addHold, or
// missed for at least removeHold, at now, and forgets them; next is the
// next time something becomes due (zero if nothing waits).
func (t *addrTracker) due(now time.Time, addHold, removeHold time.Duration) (added, removed []netip.Addr, next time.Time) {
	take := func(m map[netip.Addr]time.Time, hold time.Duration) []netip.Addr {
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
	return take(t.seen, addHold), take(t.missed, removeHold), next
}

// addHold is how long a new address must stay before it is used: the
// AddressHold against flapping, or while the endpoint has no address at
// all, when waiting only prolongs the outage, just settleHold.
func (ep *Endpoint) addHold() time.Duration {
	if len(ep.conn.LocalAddrs()) == 0 {
		return min(settleHold, ep.cfg.AddressHold)
	}
	return ep.cfg.AddressHold
}

// settleHold lets the routes that come with a new address (DHCP clients
// and network managers add them just after it) be in place before the
// ASCONF leaves from it; an ASCONF sent too early is lost and waits for
// T4-RTO.
const settleHold = 50 * time.Millisecond

// autoASCONF runs until ctx ends, turning address changes into ASCONF
// requests on every association.
func (ep *Endpoint) autoASCONF(ctx context.Context, w AddressWatcher) {
	defer ep.addrFeeds.close()
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
		var now time.Time
		select {
		case addrs, ok := <-changes:
			if !ok {
				return
			}
			now = time.Now()
			t.observe(now, ep.eligible(addrs), ep.conn.LocalAddrs())
		case now = <-timer.C:
		}
		added, removed, next := t.due(now, ep.addHold(), ep.cfg.AddressHold)
		ep.applyAddressChanges(added, removed)
		if len(removed) > 0 && len(ep.conn.LocalAddrs()) == 0 {
			next = now // the last address went: a waiting one may be due
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// eligible keeps the addresses AutoASCONF may use: unicast, of a family
// the endpoint already uses, loopback only for a loopback endpoint, and
// nothing but loopback for an endpoint the application put on loopback
// alone (its peers are on this host; a registrar there would refuse an
// element that announced the host's other addresses).
func (ep *Endpoint) eligible(addrs []netip.Addr) []netip.Addr {
	bound := ep.conn.LocalAddrs()
	var out []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsMulticast() || a.IsUnspecified() || a.IsLinkLocalUnicast() || (ep.loopbackOnly && !a.IsLoopback()) {
			continue
		}
		ok := false
		for _, b := range bound {
			ok = ok || (sameFamily(a, b) && (scopeOf(a) == scopeOf(b) || !a.IsLoopback()))
		}
		// With nothing bound (the last address went) any family will do,
		// but loopback still only for a loopback endpoint, which never
		// gets here with nothing bound.
		if ok || (len(bound) == 0 && !a.IsLoopback()) {
			out = append(out, a)
		}
	}
	return out
}

// applyAddressChanges binds new addresses and asks every association's
// peer to add them, and to delete vanished ones. The Deletes are queued
// first: when a move replaces the last address in one change (the old
// one is already gone from the host), the Delete is held and the Add
// carries it, Add IP, Set Primary and Delete in one ASCONF from the new
// address, instead of an Add sent alone and a Delete a round trip later.
func (ep *Endpoint) applyAddressChanges(added, removed []netip.Addr) {
	var bound []netip.Addr
	for _, addr := range added {
		if err := ep.bind(addr); err != nil {
			ep.log.Warnf("AutoASCONF: %v", err)
			continue
		}
		bound = append(bound, addr)
	}
	assocs := ep.associations()
	for _, addr := range removed {
		for _, a := range assocs {
			a.autoRemove(addr)
		}
	}
	for _, addr := range bound {
		for _, a := range assocs {
			a.autoAdd(addr, ep.cfg.AutoSetPrimary)
		}
	}
	for _, addr := range removed {
		// The address is gone from the host: its socket can neither send
		// nor receive any more.
		if err := ep.conn.RemoveAddr(addr); err != nil {
			ep.log.Debugf("AutoASCONF: %v", err)
		}
		ep.forgetRoutes()
	}
	if len(bound)+len(removed) > 0 {
		ep.addrFeeds.post(AddressChange{Time: time.Now(), Added: bound, Removed: removed, Addrs: ep.conn.LocalAddrs()})
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
// whose peer cannot take ASCONF just reports the event. An address the
// peer could not reach (loopback or link-local for a peer elsewhere) is
// not even reported. If an ASCONF is outstanding, it goes again at once
// from the new address, the new requests bundled behind it.
func (a *Association) autoAdd(addr netip.Addr, primary bool) {
	a.exec(func(now time.Time) {
		if !a.announceable(addr) {
			return
		}
		a.emit(Event{Type: EventLocalAddrAdded, Addr: netip.AddrPortFrom(addr, 0)})
		if a.addLocal(now, addr, primary) == nil {
			a.resendASCONF(now, addr)
		}
	})
}

func (a *Association) autoRemove(addr netip.Addr) {
	a.exec(func(now time.Time) {
		a.emit(Event{Type: EventLocalAddrRemoved, Addr: netip.AddrPortFrom(addr, 0)})
		_ = a.queueASCONF(now, addip.DeleteIP, addr)
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
