package mobility

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// teeWatcher hands the watcher's reports to the stack's AutoASCONF and
// tells the node that its addresses may be about to change. It stands in
// for the endpoint-level address-change signal (AddressSource) the stack
// does not have yet.
type teeWatcher struct {
	w    stack.AddressWatcher
	kick chan struct{} // capacity 1: a kick waiting is enough
}

func (t *teeWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	addrs, err := t.w.Next(ctx)
	if err == nil {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
	return addrs, err
}

// addrWatch turns kicks into address sets: after a kick, once the stack's
// AddressHold has passed (twice, in case the stack's timer fired late), it
// reads the endpoint's addresses and passes them on if they changed. It
// is the node's AddressSource until the stack has one.
type addrWatch struct {
	ep   *stack.Endpoint
	hold time.Duration
	kick chan struct{}

	mu   sync.Mutex
	last []netip.Addr
	subs map[chan []netip.Addr]struct{}
	// onChange runs for each change, after the subscribers heard of it.
	onChange func([]netip.Addr)
}

func (w *addrWatch) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		for _, d := range []time.Duration{w.hold + 10*time.Millisecond, w.hold} {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
			w.check()
		}
	}
}

// check passes the endpoint's addresses on if they changed.
func (w *addrWatch) check() {
	addrs := w.ep.LocalAddrs()
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
