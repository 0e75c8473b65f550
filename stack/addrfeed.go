package stack

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// The endpoint's address changes as a feed that never drops one: the
// mobility layer re-registers with RSerPool on every move, and a move it
// missed would leave the pool pointing at an address that is gone.
// Association events may be dropped when nobody reads them; these wait,
// in order, until read.

// AddressChange is one change of the endpoint's local addresses that
// AutoASCONF acted on.
type AddressChange struct {
	Time    time.Time
	Added   []netip.Addr
	Removed []netip.Addr
	Addrs   []netip.Addr // the endpoint's addresses after the change
}

// ErrNoAutoASCONF means the endpoint does not watch its addresses.
var ErrNoAutoASCONF = errors.New("sctp: AutoASCONF is off")

// AddressFeed delivers an endpoint's address changes, each once, in
// order. It keeps every change until it is read.
type AddressFeed struct {
	set     *feedSet
	mu      sync.Mutex
	pending []AddressChange
	wake    chan struct{} // one token: something was posted or closed
	closed  bool
}

// feedSet is the endpoint's open feeds.
type feedSet struct {
	mu     sync.Mutex
	feeds  []*AddressFeed
	closed bool
}

// WatchAddresses returns a feed of the address changes from now on. It
// needs AutoASCONF; the feed ends when the endpoint closes.
func (ep *Endpoint) WatchAddresses() (*AddressFeed, error) {
	if !ep.cfg.AutoASCONF {
		return nil, ErrNoAutoASCONF
	}
	f := &AddressFeed{set: &ep.addrFeeds, wake: make(chan struct{}, 1)}
	s := &ep.addrFeeds
	s.mu.Lock()
	defer s.mu.Unlock()
	f.closed = s.closed
	s.feeds = append(s.feeds, f)
	return f, nil
}

// Next returns the oldest change not yet read, waiting for one if there
// is none. After the endpoint closed and every change was read it returns
// ErrClosed.
func (f *AddressFeed) Next(ctx context.Context) (AddressChange, error) {
	for {
		f.mu.Lock()
		if len(f.pending) > 0 {
			c := f.pending[0]
			f.pending = slices.Delete(f.pending, 0, 1)
			f.mu.Unlock()
			return c, nil
		}
		closed := f.closed
		f.mu.Unlock()
		if closed {
			return AddressChange{}, ErrClosed
		}
		select {
		case <-f.wake:
		case <-ctx.Done():
			return AddressChange{}, ctx.Err()
		}
	}
}

// Close stops the feed; what it held is discarded.
func (f *AddressFeed) Close() {
	s := f.set
	s.mu.Lock()
	s.feeds = slices.DeleteFunc(s.feeds, func(x *AddressFeed) bool { return x == f })
	s.mu.Unlock()
	f.update(func() { f.pending, f.closed = nil, true })
}

// update changes the feed under its lock and wakes a waiting Next.
func (f *AddressFeed) update(change func()) {
	f.mu.Lock()
	change()
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default: // a token is already there
	}
}

// post hands c to every open feed.
func (s *feedSet) post(c AddressChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.feeds {
		f.update(func() { f.pending = append(f.pending, c) })
	}
}

// close ends every feed once its changes are read.
func (s *feedSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, f := range s.feeds {
		f.update(func() { f.closed = true })
	}
}
