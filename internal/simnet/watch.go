package simnet

import (
	"context"
	"net/netip"
	"slices"
	"time"
)

// AddrWatcher follows a host's addresses the way stack.AddressWatcher
// wants: Next returns the first set, then each changed one. It polls every
// 10 ms, which under testing/synctest is virtual time.
type AddrWatcher struct {
	h    *Host
	last []netip.Addr
}

// Watch returns a watcher of h's addresses.
func (h *Host) Watch() *AddrWatcher { return &AddrWatcher{h: h} }

// Next returns the host's addresses once they differ from those it
// returned last, or the context's error.
func (w *AddrWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	for {
		now := w.h.Addrs()
		if w.last == nil || !slices.Equal(now, w.last) {
			w.last = now
			return now, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
