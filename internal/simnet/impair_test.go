package simnet

import (
	"math"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// sendEvery sends count numbered datagrams from ca at a1 to cb at b1, one
// per interval, and waits a second for the last to arrive.
func (n *testNet) sendEvery(t *testing.T, count int, interval time.Duration) {
	t.Helper()
	for i := range count {
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(i, 100))
		time.Sleep(interval)
	}
	time.Sleep(time.Second)
}

// checkBinomial fails the test unless got is within 4.5 standard deviations
// of the mean of a binomial(trials, p) distribution. With a fixed seed the
// count is reproducible; the bound says a correct implementation passes
// with any seed but about once in 150000, while a probability wrong by a
// fifth of p fails (for the sizes used here).
func checkBinomial(t *testing.T, what string, got uint64, trials int, p float64) {
	t.Helper()
	mean := float64(trials) * p
	sd := math.Sqrt(mean * (1 - p))
	if math.Abs(float64(got)-mean) > 4.5*sd {
		t.Errorf("%s: %d of %d, want %.0f ± %.0f", what, got, trials, mean, 4.5*sd)
	}
}

func TestLossRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond, Loss: 0.1})
		const count = 10000
		n.sendEvery(t, count, 0)

		st := n.Stats().Total
		checkBinomial(t, "lost", st.Lost, count, 0.1)
		if st.Sent != count || st.Lost+st.Delivered != count || st.InFlight() != 0 {
			t.Errorf("stats %+v: sent, lost and delivered do not add up", st)
		}
		if got := len(n.rb.arrivals()); uint64(got) != st.Delivered {
			t.Errorf("handler saw %d datagrams, stats count %d delivered", got, st.Delivered)
		}
	})
}

func TestDuplication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond, Duplicate: 0.2})
		const count = 10000
		n.sendEvery(t, count, 0)

		st := n.Stats().Total
		checkBinomial(t, "duplicated", st.Duplicated, count, 0.2)
		got := n.rb.numbers()
		if uint64(len(got)) != count+st.Duplicated || st.Delivered != uint64(len(got)) {
			t.Errorf("handler saw %d datagrams; stats: %d sent, %d duplicated, %d delivered", len(got), count, st.Duplicated, st.Delivered)
		}
		seen := make([]int, count)
		for _, i := range got {
			seen[i]++
		}
		if slices.Max(seen) > 2 || slices.Min(seen) < 1 {
			t.Errorf("each datagram should arrive once or twice; counts range over [%d, %d]", slices.Min(seen), slices.Max(seen))
		}
	})
}

func TestReorderDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond, Reorder: 0.1, ReorderDelay: 5 * time.Millisecond})
		const count = 2000
		n.sendEvery(t, count, time.Millisecond) // datagram i leaves at i ms

		st := n.Stats().Total
		checkBinomial(t, "reordered", st.Reordered, count, 0.1)
		var late uint64
		for _, a := range n.rb.arrivals() {
			switch a.at - time.Duration(number(a.data))*time.Millisecond {
			case time.Millisecond:
			case 6 * time.Millisecond:
				late++
			default:
				t.Fatalf("datagram %d took %v, want 1ms or 6ms", number(a.data), a.at-time.Duration(number(a.data))*time.Millisecond)
			}
		}
		if late != st.Reordered {
			t.Errorf("%d datagrams held back, stats count %d", late, st.Reordered)
		}
		if inversions(n.rb.numbers()) == 0 {
			t.Error("no datagram overtook another")
		}
	})
}

func TestJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond, Jitter: 2 * time.Millisecond})
		const count = 1000
		n.sendEvery(t, count, 100*time.Microsecond)

		got := n.rb.arrivals()
		if len(got) != count {
			t.Fatalf("got %d datagrams, want %d", len(got), count)
		}
		lo, hi := time.Hour, time.Duration(0)
		for _, a := range got {
			d := a.at - time.Duration(number(a.data))*100*time.Microsecond
			lo, hi = min(lo, d), max(hi, d)
		}
		// Uniform over [1ms, 3ms): with 1000 draws the extremes come within
		// 20µs of the bounds but for a chance of e^-10.
		if lo < time.Millisecond || lo > 1020*time.Microsecond || hi >= 3*time.Millisecond || hi < 2980*time.Microsecond {
			t.Errorf("latencies within [%v, %v], want within [1ms, 3ms) and near both ends", lo, hi)
		}
		if inversions(n.rb.numbers()) == 0 {
			t.Error("jitter reordered nothing")
		}
	})
}

// inversions counts the adjacent pairs of ns out of order.
func inversions(ns []int) int {
	k := 0
	for i := 1; i < len(ns); i++ {
		if ns[i] < ns[i-1] {
			k++
		}
	}
	return k
}

func TestLinkDownAndUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: 10 * time.Millisecond})
		toB, toA := netip.AddrPortFrom(b1, portB), netip.AddrPortFrom(a1, portA)

		send(t, n.ca, a1, toB, numbered(0, 10)) // in flight when the link breaks: arrives
		time.Sleep(time.Millisecond)
		n.SetDown(a1, b1, true)
		send(t, n.ca, a1, toB, numbered(1, 10))
		send(t, n.cb, b1, toA, numbered(2, 10))
		send(t, n.ca, a2, netip.AddrPortFrom(b2, portB), numbered(3, 10)) // the other path works
		time.Sleep(time.Second)
		n.SetDown(b1, a1, false)
		start := time.Now()
		send(t, n.ca, a1, toB, numbered(4, 10))
		send(t, n.cb, b1, toA, numbered(5, 10))
		time.Sleep(time.Second)

		if got, want := n.rb.numbers(), []int{0, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("b received %v, want %v", got, want)
		}
		if got, want := n.ra.numbers(), []int{5}; !slices.Equal(got, want) {
			t.Errorf("a received %v, want %v", got, want)
		}
		last := n.ra.arrivals()[0]
		if at := last.at - start.Sub(n.ra.start); at != 10*time.Millisecond {
			t.Errorf("after repair, delay is %v, want the 10ms kept from before", at)
		}
		st := n.Stats()
		if down := st.Links[Link{a1, b1}].LinkDown + st.Links[Link{b1, a1}].LinkDown; down != 2 || st.Total.LinkDown != 2 {
			t.Errorf("dropped on a1-b1: %d, in total %d; want 2 and 2", down, st.Total.LinkDown)
		}
	})
}
