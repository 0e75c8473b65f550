package simnet

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestFilterDropsChosenDatagrams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		seen, inits := 0, 0
		removeCount := n.AddFilter(func(_, _ netip.AddrPort, _ []byte) Verdict {
			seen++
			return Pass
		})
		removeInit := n.AddFilter(func(_, _ netip.AddrPort, data []byte) Verdict {
			if !bytes.HasPrefix(data, []byte("INIT")) {
				return Pass
			}
			if inits++; inits == 1 {
				return Drop // only the first
			}
			return Pass
		})
		toB := netip.AddrPortFrom(b1, portB)
		for _, s := range []string{"INIT 1", "DATA", "INIT 2"} {
			send(t, n.ca, a1, toB, []byte(s))
		}
		removeInit()
		removeInit() // removing twice does nothing
		send(t, n.ca, a1, toB, []byte("INIT 3"))
		removeCount()
		send(t, n.ca, a1, toB, []byte("DATA"))
		synctest.Wait()

		var got []string
		for _, a := range n.rb.arrivals() {
			got = append(got, string(a.data))
		}
		if want := []string{"DATA", "INIT 2", "INIT 3", "DATA"}; !slices.Equal(got, want) {
			t.Errorf("b received %q, want %q", got, want)
		}
		if seen != 4 || inits != 2 {
			t.Errorf("filters saw %d datagrams and %d INITs, want 4 and 2", seen, inits)
		}
		if st := n.Stats().Total; st.Filtered != 1 || st.Sent != 5 {
			t.Errorf("stats %+v, want 5 sent, 1 filtered", st)
		}
	})
}

func TestFilterSeesDatagramsBeforeLoss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Loss: 1})
		seen := 0
		n.AddFilter(func(_, _ netip.AddrPort, _ []byte) Verdict {
			seen++
			return Pass
		})
		for range 10 {
			send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("x"))
		}
		if st := n.Stats().Total; seen != 10 || st.Lost != 10 {
			t.Errorf("filter saw %d, %d lost; want 10 and 10", seen, st.Lost)
		}
	})
}

func TestFilterMayReconfigureTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		// Break the path as the first datagram goes by: filters run without
		// the network's lock, so this must not deadlock.
		n.AddFilter(func(src, dst netip.AddrPort, _ []byte) Verdict {
			n.SetDown(src.Addr(), dst.Addr(), true)
			return Pass
		})
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("x"))
		if st := n.Stats().Total; st.LinkDown != 1 {
			t.Errorf("stats %+v, want the datagram dropped by the link the filter broke", st)
		}
	})
}

func TestOnPacketReportsEveryFate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		var log eventLog
		n.OnPacket(log.record)
		b3 := netip.MustParseAddr("10.0.3.2")
		n.b.AddAddr(b3)
		n.SetDefault(LinkProps{Delay: 10 * time.Millisecond})
		n.SetLink(a1, b2, LinkProps{Loss: 1})
		n.SetLink(a2, b1, LinkProps{Down: true})
		n.SetLink(a2, b2, LinkProps{Rate: 1, QueueBytes: 1})
		n.AddFilter(func(_, _ netip.AddrPort, data []byte) Verdict {
			if string(data) == "filtered" {
				return Drop
			}
			return Pass
		})
		start := time.Now()
		time.Sleep(time.Millisecond)
		for _, d := range []struct {
			src  netip.Addr
			dst  netip.AddrPort
			data string
		}{
			{a1, netip.AddrPortFrom(b1, portB), "delivered"},
			{a1, netip.AddrPortFrom(b1, portB), "filtered"},
			{a2, netip.AddrPortFrom(b1, portB), "link down"},
			{a2, netip.AddrPortFrom(b2, portB), "queue full"},
			{a1, netip.AddrPortFrom(b2, portB), "lost"},
			{a1, netip.AddrPortFrom(b3, portB), "no listener"},
		} {
			send(t, n.ca, d.src, d.dst, []byte(d.data))
		}
		time.Sleep(time.Second)
		n.OnPacket(nil)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("unobserved"))
		time.Sleep(time.Second)

		events := log.all()
		if len(events) != 6 {
			t.Fatalf("got %d events, want 6: %v", len(events), events)
		}
		for _, e := range events {
			if e.fate.String() != e.data {
				t.Errorf("%q: fate %v", e.data, e.fate)
			}
			want := start.Add(time.Millisecond) // dropped when sent
			if e.fate == Delivered || e.fate == NoListener {
				want = want.Add(10 * time.Millisecond) // when it arrived
			}
			if !e.ts.Equal(want) || e.src.Port() != portA || e.dst.Port() != portB {
				t.Errorf("%q: at %v from %v to %v; want at %v, port %d to %d", e.data, e.ts.Sub(start), e.src, e.dst, want.Sub(start), portA, portB)
			}
		}
	})
}

func TestFateString(t *testing.T) {
	if got := Fate(200).String(); got != "Fate(200)" {
		t.Errorf("Fate(200).String() = %q", got)
	}
}
