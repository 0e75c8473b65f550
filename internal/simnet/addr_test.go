package simnet

import (
	"errors"
	"io/fs"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

var b3 = netip.MustParseAddr("10.0.3.2")

func TestEphemeralPorts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		seen := map[int]bool{}
		for i := range 100 {
			c, err := n.a.Open(0, func([]encap.Datagram) {})
			if err != nil {
				t.Fatal(err)
			}
			if p := c.Port(); p != firstEphemeral+i || seen[p] {
				t.Fatalf("ephemeral port %d: %d, want %d, unused", i, p, firstEphemeral+i)
			}
			seen[c.Port()] = true
		}
		if _, err := n.b.Open(portB, func([]encap.Datagram) {}); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("opening port %d twice: %v, want EADDRINUSE", portB, err)
		}
		if err := n.cb.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := n.b.Open(portB, func([]encap.Datagram) {}); err != nil {
			t.Errorf("reopening a closed port: %v", err)
		}
	})
}

func TestEphemeralPortsWrapAround(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		h := n.AddHost("h")
		h.nextPort = lastEphemeral
		var got []int
		for range 3 {
			c, err := h.Open(0, func([]encap.Datagram) {})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, c.Port())
		}
		if want := []int{lastEphemeral, firstEphemeral, firstEphemeral + 1}; !slices.Equal(got, want) {
			t.Errorf("ports %v, want %v", got, want)
		}
	})
}

func TestHostLosesAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: 10 * time.Millisecond})
		toB1 := netip.AddrPortFrom(b1, portB)

		send(t, n.ca, a1, toB1, numbered(0, 10)) // lands after b1 is gone
		time.Sleep(5 * time.Millisecond)
		n.b.RemoveAddr(b1)
		send(t, n.ca, a1, toB1, numbered(1, 10))
		send(t, n.ca, a1, netip.AddrPortFrom(b2, portB), numbered(2, 10))
		err := n.cb.Send(encap.Datagram{Data: numbered(3, 10), Local: netip.AddrPortFrom(b1, portB), Remote: netip.AddrPortFrom(a1, portA)})
		if !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("sending from a lost address: %v, want EADDRNOTAVAIL", err)
		}
		if got := n.b.Addrs(); !slices.Equal(got, []netip.Addr{b2}) {
			t.Errorf("b's addresses %v, want [%v]", got, b2)
		}
		if got := n.cb.LocalAddrs(); !slices.Equal(got, []netip.Addr{b1, b2}) {
			t.Errorf("cb stays bound to %v, want [%v %v]", got, b1, b2)
		}
		time.Sleep(time.Second)

		n.b.AddAddr(b1) // back again: the binding works again
		send(t, n.ca, a1, toB1, numbered(4, 10))
		send(t, n.cb, b1, netip.AddrPortFrom(a1, portA), numbered(5, 10))
		time.Sleep(time.Second)

		if got, want := n.rb.numbers(), []int{2, 4}; !slices.Equal(got, want) {
			t.Errorf("b received %v, want %v", got, want)
		}
		if got, want := n.ra.numbers(), []int{5}; !slices.Equal(got, want) {
			t.Errorf("a received %v, want %v", got, want)
		}
		if st := n.Stats().Total; st.NoListener != 2 {
			t.Errorf("%d datagrams without listener, want 2", st.NoListener)
		}
	})
}

func TestConnBindsAndUnbindsAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.b.AddAddr(b3)
		send(t, n.ca, a1, netip.AddrPortFrom(b3, portB), numbered(0, 10)) // b3 not bound yet
		synctest.Wait()
		if err := n.cb.AddAddr(b3); err != nil {
			t.Fatal(err)
		}
		send(t, n.ca, a1, netip.AddrPortFrom(b3, portB), numbered(1, 10))
		if err := n.cb.RemoveAddr(b1); err != nil {
			t.Fatal(err)
		}
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), numbered(2, 10)) // b1 unbound
		// A send from an unbound address leaves from the first bound one of
		// its family, as with encap.
		send(t, n.cb, b1, netip.AddrPortFrom(a1, portA), numbered(3, 10))
		synctest.Wait()

		if got, want := n.rb.numbers(), []int{1}; !slices.Equal(got, want) {
			t.Errorf("b received %v, want %v", got, want)
		}
		if got := n.ra.arrivals(); len(got) != 1 || got[0].remote != netip.AddrPortFrom(b2, portB) {
			t.Errorf("a received %v, want one datagram from %v:%d", got, b2, portB)
		}
		if got, want := n.cb.LocalAddrs(), []netip.Addr{b2, b3}; !slices.Equal(got, want) {
			t.Errorf("LocalAddrs %v, want %v", got, want)
		}
		if err := n.cb.AddAddr(b3); !errors.Is(err, fs.ErrExist) {
			t.Errorf("binding twice: %v, want ErrExist", err)
		}
		if err := n.cb.AddAddr(a1); !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("binding another host's address: %v, want EADDRNOTAVAIL", err)
		}
		if err := n.cb.RemoveAddr(b1); !errors.Is(err, encap.ErrNoSocket) {
			t.Errorf("unbinding twice: %v, want ErrNoSocket", err)
		}
	})
}

func TestSendBatchSkipsWhatItCannotSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		v6 := netip.MustParseAddrPort("[2001:db8::2]:2000")
		err := n.ca.SendBatch([]encap.Datagram{
			{Data: numbered(0, 10), Remote: v6},                                                                  // no IPv6 address bound
			{Data: numbered(1, 10), Remote: netip.AddrPortFrom(b1, portB)},                                       // no Local: the first IPv4 address
			{Data: numbered(2, 10), Local: netip.AddrPortFrom(a2, portA), Remote: netip.AddrPortFrom(b1, portB)}, // a2 chosen
		})
		if !errors.Is(err, encap.ErrNoSocket) {
			t.Errorf("SendBatch: %v, want ErrNoSocket", err)
		}
		synctest.Wait()
		got := n.rb.arrivals()
		if len(got) != 2 || got[0].remote.Addr() != a1 || got[1].remote.Addr() != a2 {
			t.Errorf("b received %v, want datagrams from %v then %v", got, a1, a2)
		}
	})
}

func TestAddressConflictsPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		for what, f := range map[string]func(){
			"AddHost": func() { n.AddHost("c", a1) },
			"AddAddr": func() { n.b.AddAddr(a2) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s with another host's address did not panic", what)
					}
				}()
				f()
			}()
		}
	})
}
