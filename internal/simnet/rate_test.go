package simnet

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

func TestRateLimitsThroughput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		const delay = 20 * time.Millisecond
		n.SetLink(a1, b1, LinkProps{Delay: delay, Rate: 1e6})
		// Offer 2 MB/s for 3s: the queue fills within half a second, then
		// the link runs flat out and drops the excess.
		for i := range 6000 {
			send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(i, 1000))
			time.Sleep(500 * time.Microsecond)
		}
		time.Sleep(time.Second)

		var bytes int
		for _, a := range n.rb.arrivals() {
			if a.at >= time.Second+delay && a.at < 2*time.Second+delay {
				bytes += len(a.data)
			}
		}
		if bytes < 999_000 || bytes > 1_001_000 {
			t.Errorf("delivered %d bytes in one second at full load, want 1e6 ± one datagram", bytes)
		}
		st := n.Stats().Links[Link{a1, b1}]
		if st.QueueFull == 0 || st.QueueFull+st.Delivered != st.Sent {
			t.Errorf("stats %+v: want queue drops, and no other losses", st)
		}
	})
}

func TestDropTailQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		// Ten 1000-byte datagrams fill the queue; each takes 1ms to send.
		n.SetLink(a1, b1, LinkProps{Rate: 1e6, QueueBytes: 10_000})
		burst := func(first int) {
			for i := range 20 {
				send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(first+i, 1000))
			}
		}
		burst(0)
		time.Sleep(5 * time.Millisecond) // five have left: room for five more
		burst(100)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(200, 10_001)) // larger than the queue
		time.Sleep(time.Second)

		got := n.rb.arrivals()
		want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 101, 102, 103, 104}
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", n.rb.numbers(), want)
		}
		for i, a := range got {
			if number(a.data) != want[i] || a.at != time.Duration(i+1)*time.Millisecond {
				t.Errorf("arrival %d: datagram %d at %v, want %d at %v", i, number(a.data), a.at, want[i], time.Duration(i+1)*time.Millisecond)
			}
		}
		if st := n.Stats().Total; st.QueueFull != 26 {
			t.Errorf("%d queue drops, want 26", st.QueueFull)
		}
	})
}

func TestTxTime(t *testing.T) {
	for _, tc := range []struct {
		size int
		rate int64
		want time.Duration
	}{
		{1000, 1e6, time.Millisecond},
		{1500, 1e9, 1500},
		{1, 3, 333_333_333}, // rounds down
		{1 << 40, 1, 1<<63 - 1},
		{1 << 40, 1 << 40, time.Second},
	} {
		if got := txTime(tc.size, tc.rate); got != tc.want {
			t.Errorf("txTime(%d, %d) = %v, want %v", tc.size, tc.rate, got, tc.want)
		}
	}
}
