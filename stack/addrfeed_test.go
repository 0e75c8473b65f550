package stack

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
)

// TestAddressFeedNeverDrops makes 40 address changes, more than any event
// queue holds, without reading the feed; then every one of them comes out,
// in order, and the feed ends when the endpoint closes.
func TestAddressFeedNeverDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(5)
		t.Cleanup(n.Close)
		h := n.AddHost("mobile", cli1)
		ep := simEndpoint(t, h, Config{AutoASCONF: true, AddressWatcher: h.Watch()}, false)
		feed, err := ep.WatchAddresses()
		if err != nil {
			t.Fatal(err)
		}
		var want []AddressChange
		for i := range 20 {
			a := netip.AddrFrom4([4]byte{203, 0, 113, byte(i + 1)})
			h.AddAddr(a)
			time.Sleep(2 * DefaultAddressHold)
			want = append(want, AddressChange{Added: []netip.Addr{a}, Addrs: []netip.Addr{cli1, a}})
			h.RemoveAddr(a)
			time.Sleep(2 * DefaultAddressHold)
			want = append(want, AddressChange{Removed: []netip.Addr{a}, Addrs: []netip.Addr{cli1}})
		}
		ep.Close()
		for i, w := range want {
			c, err := feed.Next(context.Background())
			if err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
			if !slices.Equal(c.Added, w.Added) || !slices.Equal(c.Removed, w.Removed) || !slices.Equal(c.Addrs, w.Addrs) {
				t.Fatalf("change %d: %+v, want %+v", i, c, w)
			}
		}
		if _, err := feed.Next(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("Next after the last change of a closed endpoint: %v, want ErrClosed", err)
		}
	})
}

// TestAddressFeedNeedsAutoASCONF: without AutoASCONF there is nothing to
// watch.
func TestAddressFeedNeedsAutoASCONF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(5)
		t.Cleanup(n.Close)
		ep := simEndpoint(t, n.AddHost("fixed", cli1), Config{}, false)
		if _, err := ep.WatchAddresses(); !errors.Is(err, ErrNoAutoASCONF) {
			t.Errorf("WatchAddresses: %v, want ErrNoAutoASCONF", err)
		}
	})
}
