package simnet

import (
	"cmp"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// scenario runs 500 rounds of traffic both ways between ca and cb over an
// impaired network and returns what OnPacket saw, sorted: the order of
// events at one instant depends on goroutine scheduling, their set does not.
// With noise, a third Conn sends on the same links in between.
func scenario(t *testing.T, seed int64, noise bool) []event {
	var log eventLog
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, seed)
		n.SetDefault(LinkProps{
			Delay: 5 * time.Millisecond, Jitter: 3 * time.Millisecond,
			Loss: 0.2, Duplicate: 0.1, Reorder: 0.1, ReorderDelay: 4 * time.Millisecond,
		})
		n.OnPacket(log.record)
		other, _ := openRecorded(t, n.a, portA+1)
		for i := range 500 {
			send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(i, 20))
			if noise {
				send(t, other, a1, netip.AddrPortFrom(b1, portB), numbered(i, 20))
			}
			send(t, n.cb, b1, netip.AddrPortFrom(a1, portA), numbered(i, 20))
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Second)
	})
	events := log.all()
	slices.SortFunc(events, compareEvents)
	return events
}

func compareEvents(x, y event) int {
	return cmp.Or(x.ts.Compare(y.ts), x.src.Compare(y.src), x.dst.Compare(y.dst),
		cmp.Compare(x.data, y.data), cmp.Compare(x.fate, y.fate))
}

func TestSameSeedSameFates(t *testing.T) {
	first, again := scenario(t, 42, false), scenario(t, 42, false)
	if !slices.Equal(first, again) {
		t.Error("two runs with seed 42 differ")
	}
	if slices.Equal(first, scenario(t, 43, false)) {
		t.Error("seeds 42 and 43 give the same run")
	}
	fates := map[Fate]int{}
	for _, e := range first {
		fates[e.fate]++
	}
	if fates[Delivered] == 0 || fates[Lost] == 0 {
		t.Errorf("fates %v: the scenario should both deliver and lose", fates)
	}
}

func TestOtherFlowsDoNotChangeFates(t *testing.T) {
	quiet := scenario(t, 7, false)
	noisy := slices.DeleteFunc(scenario(t, 7, true), func(e event) bool {
		return e.src.Port() == portA+1
	})
	if !slices.Equal(quiet, noisy) {
		t.Error("traffic of another flow on the same link changed the fates of ca's and cb's datagrams")
	}
}
