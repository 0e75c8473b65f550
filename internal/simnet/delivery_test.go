package simnet

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

func TestDeliveryTimeIsDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetLinkBoth(a1, b1, LinkProps{Delay: 10 * time.Millisecond})
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(0, 100))
		time.Sleep(3 * time.Millisecond)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(1, 100))
		time.Sleep(time.Second)

		got := n.rb.arrivals()
		if len(got) != 2 {
			t.Fatalf("got %d datagrams, want 2", len(got))
		}
		for i, want := range []time.Duration{10 * time.Millisecond, 13 * time.Millisecond} {
			if got[i].at != want || number(got[i].data) != i {
				t.Errorf("datagram %d arrived at %v, want %v", number(got[i].data), got[i].at, want)
			}
			if got[i].local != netip.AddrPortFrom(b1, portB) || got[i].remote != netip.AddrPortFrom(a1, portA) {
				t.Errorf("Local, Remote = %v, %v; want %v:%d, %v:%d", got[i].local, got[i].remote, b1, portB, a1, portA)
			}
		}
	})
}

func TestDeliveryTimeWithRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		// 1000 bytes at 1 MB/s take 1ms to serialize: a burst of three leaves
		// at 1, 2 and 3 ms and arrives 10ms later.
		n.SetLink(a1, b1, LinkProps{Delay: 10 * time.Millisecond, Rate: 1e6})
		for i := range 3 {
			send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(i, 1000))
		}
		time.Sleep(time.Second)

		got := n.rb.arrivals()
		if len(got) != 3 {
			t.Fatalf("got %d datagrams, want 3", len(got))
		}
		for i, a := range got {
			if want := 10*time.Millisecond + time.Duration(i+1)*time.Millisecond; a.at != want || number(a.data) != i {
				t.Errorf("datagram %d arrived at %v, want datagram %d at %v", number(a.data), a.at, i, want)
			}
		}
	})
}

func TestSimultaneousDatagramsShareABatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond})
		var burst []encap.Datagram
		for i := range 100 {
			burst = append(burst, encap.Datagram{Data: numbered(i, 8), Local: netip.AddrPortFrom(a1, 0), Remote: netip.AddrPortFrom(b1, portB)})
		}
		if err := n.ca.SendBatch(burst); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond / 2)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(100, 8)) // arrives half a millisecond later
		send(t, n.ca, a1, netip.AddrPortFrom(b2, portB), numbered(101, 8)) // same instant, other socket address
		time.Sleep(time.Second)

		sizes := map[int]int{}
		for i, a := range n.rb.arrivals() {
			if number(a.data) != i {
				t.Fatalf("arrival %d carries datagram %d: order not kept", i, number(a.data))
			}
			sizes[a.call]++
		}
		want := map[int]int{1: maxBatch, 2: 100 - maxBatch, 3: 1, 4: 1}
		if len(sizes) != len(want) {
			t.Fatalf("batch sizes %v, want %v", sizes, want)
		}
		for call, size := range want {
			if sizes[call] != size {
				t.Errorf("batch sizes %v, want %v", sizes, want)
			}
		}
	})
}

func TestNoListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		var log eventLog
		n.OnPacket(log.record)
		nowhere := netip.MustParseAddr("10.9.9.9")
		send(t, n.ca, a1, netip.AddrPortFrom(b1, 9), []byte("closed port"))
		send(t, n.ca, a1, netip.AddrPortFrom(nowhere, portB), []byte("no such host"))
		time.Sleep(time.Second)

		if got := n.rb.arrivals(); len(got) != 0 {
			t.Errorf("delivered %d datagrams, want none", len(got))
		}
		if st := n.Stats().Total; st.NoListener != 2 || st.Sent != 2 || st.Delivered != 0 {
			t.Errorf("stats %+v, want 2 sent, 2 without listener", st)
		}
		for _, e := range log.all() {
			if e.fate != NoListener {
				t.Errorf("%q: fate %v, want %v", e.data, e.fate, NoListener)
			}
		}
	})
}

func TestHandlerDataIsACopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		buf := []byte("original")
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), buf)
		copy(buf, "modified") // the sender may reuse its buffer at once
		synctest.Wait()
		if got := n.rb.arrivals(); len(got) != 1 || string(got[0].data) != "original" {
			t.Errorf("got %v, want one datagram %q", got, "original")
		}
	})
}
