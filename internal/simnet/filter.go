package simnet

import (
	"net/netip"
	"slices"
)

// Verdict is a filter's decision about a datagram.
type Verdict int

// The verdicts.
const (
	Pass Verdict = iota
	Drop
)

// FilterFunc decides the fate of a datagram before the link sees it. data
// is valid only during the call and must not be modified.
type FilterFunc func(src, dst netip.AddrPort, data []byte) Verdict

// filter boxes a FilterFunc so that remove can find it again: funcs are not
// comparable.
type filter struct{ f FilterFunc }

// AddFilter makes f see every datagram once, when it is sent and before the
// link applies loss, so that a test can drop chosen packets (the first INIT,
// say). Filters run in the order they were added, in the sender's goroutine
// and without locks held, until one returns Drop. Calling remove uninstalls
// f; calling it again does nothing.
func (n *Network) AddFilter(f FilterFunc) (remove func()) {
	fl := &filter{f}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.storeFiltersLocked(append(slices.Clone(n.loadFilters()), fl))
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.storeFiltersLocked(slices.DeleteFunc(slices.Clone(n.loadFilters()), func(x *filter) bool { return x == fl }))
	}
}

// passes reports whether every filter lets o pass.
func (n *Network) passes(o offer) bool {
	for _, fl := range n.loadFilters() {
		if fl.f(o.src, o.dst, o.data) == Drop {
			return false
		}
	}
	return true
}

func (n *Network) loadFilters() []*filter {
	if p := n.filters.Load(); p != nil {
		return *p
	}
	return nil
}

// storeFiltersLocked publishes a new filter list. The list is never modified
// after, so sends read it without the lock; mu orders the writers.
func (n *Network) storeFiltersLocked(fs []*filter) { n.filters.Store(&fs) }
