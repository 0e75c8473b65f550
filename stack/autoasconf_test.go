package stack

import (
	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// autoPair is handoverPair with AutoASCONF on the client.
func autoPair(t *testing.T) (*simnet.Host, *Association, *Association) {
	t.Helper()
	_, hc, ca, sa := autoPairNet(t)
	return hc, ca, sa
}

// autoPairNet is autoPair that also returns the network.
func autoPairNet(t *testing.T) (*simnet.Network, *simnet.Host, *Association, *Association) {
	t.Helper()
	n := simnet.New(31)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc := n.AddHost("client", cli1)
	hs := n.AddHost("server", srv1)
	srv := simEndpoint(t, hs, Config{Port: 5000}, true)
	cli := simEndpoint(t, hc, Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: hc.Watch()}, false)
	ca, sa := connect(t, cli, srv, srv1)
	return n, hc, ca, sa
}

// TestAutoASCONFHandover moves the client to a new address while the
// server streams paced messages to it: the new address appears, the old
// one goes a second later. Every message arrives, and the largest gap
// between two deliveries stays within the detection delay plus two round
// trips.
func TestAutoASCONFHandover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc, ca, sa := autoPair(t)
		events := eventTimes(ca)
		go func() {
			time.Sleep(500 * time.Millisecond)
			hc.AddAddr(newAddr)
			time.Sleep(time.Second)
			hc.RemoveAddr(cli1)
		}()
		gaps := pacedGaps(t, sa, ca, 3000, time.Millisecond, nil)
		limit := DefaultAddressHold + 4*oneWay
		if gaps > limit {
			t.Errorf("largest gap between deliveries %v, want at most %v (detection delay plus two RTTs)", gaps, limit)
		}
		t.Logf("largest gap between deliveries: %v", gaps)
		synctest.Wait()
		if len(events(EventLocalAddrAdded)) != 1 || len(events(EventLocalAddrRemoved)) != 1 {
			t.Errorf("events: added %v removed %v", events(EventLocalAddrAdded), events(EventLocalAddrRemoved))
		}
		var ok int
		for _, e := range events(EventASCONF) {
			if e.Err == nil {
				ok++
			}
		}
		if ok != 3 {
			t.Errorf("%d successful ASCONF requests, want 3 (add, set primary, delete): %v", ok, events(EventASCONF))
		}
	})
}

// TestAutoASCONFFollowedByOurData: the client moves between two networks
// while it streams to a server that has an address on each, and neither
// network reaches the other's addresses. Once the peer knows the new
// address, the client's own data must move to the server's address on the
// new network too, before the old address goes: no retransmission timeout,
// and no gap beyond the detection delay plus two round trips.
func TestAutoASCONFFollowedByOurData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(37)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
		for _, pair := range [][2]netip.Addr{{cli1, srv2}, {cli2, srv1}} {
			n.SetDown(pair[0], pair[1], true) // two separate networks
			n.SetDown(pair[1], pair[0], true)
		}
		hc := n.AddHost("client", cli1)
		hs := n.AddHost("server", srv1, srv2)
		srv := simEndpoint(t, hs, Config{Port: 5000}, true)
		cli := simEndpoint(t, hc, Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: hc.Watch()}, false)
		ca, sa := connect(t, cli, srv, srv1)
		go func() {
			time.Sleep(500 * time.Millisecond)
			hc.AddAddr(cli2)
			time.Sleep(time.Second)
			hc.RemoveAddr(cli1)
		}()
		gaps := pacedGaps(t, ca, sa, 3000, time.Millisecond, nil)
		if limit := DefaultAddressHold + 4*oneWay; gaps > limit {
			t.Errorf("largest gap between deliveries %v, want at most %v (detection delay plus two RTTs)", gaps, limit)
		}
		st := ca.Stats()
		if st.T3Expirations != 0 {
			t.Errorf("%d retransmission timeouts, want none: the data left the old network first", st.T3Expirations)
		}
		for _, p := range st.Paths {
			if p.Primary && p.Remote.Addr() != srv2 {
				t.Errorf("client sends to %v, want the server's address on the new network, %v", p.Remote, srv2)
			}
		}
		t.Logf("largest gap between deliveries: %v", gaps)
	})
}

// TestAutoASCONFFlapIgnored shows an address that comes and goes within
// the hold time: no ASCONF at all.
func TestAutoASCONFFlapIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc, ca, _ := autoPair(t)
		for range 5 {
			hc.AddAddr(newAddr)
			time.Sleep(DefaultAddressHold / 3)
			hc.RemoveAddr(newAddr)
			time.Sleep(DefaultAddressHold / 3)
		}
		time.Sleep(2 * DefaultAddressHold)
		if n := ca.Stats().AsconfsSent; n != 0 {
			t.Errorf("%d ASCONFs for a flapping address", n)
		}
	})
}

// pacedGaps sends n 200-byte messages from src every gap, reads them at
// dst, checks they all arrived intact and in order, and returns the
// largest time between two deliveries, less the time the process stalled
// in between as stalls measured (nil on the simulated network, where time
// is virtual).
func pacedGaps(t *testing.T, src, dst *Association, n int, gap time.Duration, stalls *testenv.StallMeter) time.Duration {
	t.Helper()
	ctx := context.Background()
	done := make(chan time.Duration, 1)
	go func() {
		buf := make([]byte, 1000)
		var last time.Time
		var worst time.Duration
		for i := range n {
			k, _, err := dst.RecvMsg(ctx, buf)
			if err != nil || string(buf[:k]) != string(payload(i, 200)) {
				t.Errorf("message %d: %v (len %d)", i, err, k)
				break
			}
			now := time.Now()
			if !last.IsZero() {
				worst = max(worst, now.Sub(last)-stalls.Within(last, now))
			}
			last = now
		}
		done <- worst
	}()
	for i := range n {
		if err := src.SendMsg(ctx, payload(i, 200), SendInfo{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(gap)
	}
	return <-done
}

// An endpoint the application put on loopback alone stays there: the
// host's other addresses that appear are not bound, while one bound to a
// routable address follows them (the handover tests above).
func TestAutoASCONFLoopbackStaysLoopback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(41)
		t.Cleanup(n.Close)
		hc := n.AddHost("client", netip.MustParseAddr("127.0.0.1"))
		hs := n.AddHost("server", netip.MustParseAddr("127.0.0.2"))
		srv := simEndpoint(t, hs, Config{Port: 5000}, true)
		cli := simEndpoint(t, hc, Config{AutoASCONF: true, AddressWatcher: hc.Watch()}, false)
		ca, _ := connect(t, cli, srv, netip.MustParseAddr("127.0.0.2"))
		hc.AddAddr(newAddr)
		time.Sleep(2 * DefaultAddressHold)
		if addrs := cli.LocalAddrs(); len(addrs) != 1 {
			t.Errorf("local addresses %v, want 127.0.0.1 alone", addrs)
		}
		if s := ca.Stats(); s.AsconfsSent != 0 {
			t.Errorf("%d ASCONFs sent", s.AsconfsSent)
		}
	})
}
