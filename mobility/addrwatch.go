package mobility

import (
	"context"
	"net/netip"
	"slices"
	"sync"

	"github.com/mobisctp/mobisctp/stack"
)

// addrWatch passes the endpoint's address changes (Endpoint.WatchAddresses,
// which drops none) on to the subscribers: it is the node's AddressSource.
type addrWatch struct {
	feed *stack.AddressFeed

	mu   sync.Mutex
	last []netip.Addr
	subs map[chan []netip.Addr]struct{}
	// onChange runs for each change, after the subscribers heard of it.
	onChange func([]netip.Addr)
}

// run reads the feed until ctx ends or the endpoint closes.
func (w *addrWatch) run(ctx context.Context) {
	for {
		c, err := w.feed.Next(ctx)
		if err != nil {
			return
		}
		w.changed(c.Addrs)
	}
}

// changed passes the endpoint's addresses on if they changed.
func (w *addrWatch) changed(addrs []netip.Addr) {
	w.mu.Lock()
	if slices.Equal(addrs, w.last) {
		w.mu.Unlock()
		return
	}
	w.last = addrs
	subs := make([]chan []netip.Addr, 0, len(w.subs))
	for ch := range w.subs {
		subs = append(subs, ch)
	}
	w.mu.Unlock()
	for _, ch := range subs {
		latest(ch, addrs)
	}
	w.onChange(addrs)
}

// Subscribe implements AddressSource.
func (w *addrWatch) Subscribe() (<-chan []netip.Addr, []netip.Addr, func()) {
	ch := make(chan []netip.Addr, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.subs[ch] = struct{}{}
	return ch, slices.Clone(w.last), func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs, ch)
	}
}

// latest replaces what ch holds with v; ch has one sender.
func latest[T any](ch chan T, v T) {
	select {
	case <-ch:
	default:
	}
	ch <- v
}
