package simnet

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

func TestConnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond})
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("in flight"))
		if err := n.cb.Close(); err != nil {
			t.Fatal(err)
		}
		if err := n.cb.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		time.Sleep(time.Second)
		if got := n.rb.arrivals(); len(got) != 0 {
			t.Errorf("a closed Conn received %v", got)
		}
		if st := n.Stats().Total; st.NoListener != 1 {
			t.Errorf("stats %+v, want the datagram dropped for want of a listener", st)
		}
		if err := n.cb.Send(encap.Datagram{Local: netip.AddrPortFrom(b1, 0), Remote: netip.AddrPortFrom(a1, portA)}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close: %v, want ErrClosed", err)
		}
		for what, err := range map[string]error{"AddAddr": n.cb.AddAddr(b1), "RemoveAddr": n.cb.RemoveAddr(b1)} {
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", what, err)
			}
		}
		if got := n.cb.LocalAddrs(); got != nil {
			t.Errorf("LocalAddrs after Close: %v, want none", got)
		}
	})
}

// blockingConn opens a Conn on b whose handler reports each call on entered
// and then waits for release.
func blockingConn(t *testing.T, n *testNet) (c *Conn, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	c, err := n.b.Open(portB+1, func([]encap.Datagram) {
		entered <- struct{}{}
		<-release
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, entered, release
}

func TestCloseWaitsForTheHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		c, entered, release := blockingConn(t, n)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB+1), []byte("first"))
		<-entered
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB+1), []byte("queued")) // dropped by Close
		synctest.Wait()

		closed := make(chan struct{})
		go func() {
			c.Close()
			close(closed)
		}()
		synctest.Wait()
		select {
		case <-closed:
			t.Fatal("Close returned while the handler was running")
		default:
		}
		close(release)
		<-closed // the queued datagram must not reach the handler: it would block on entered
	})
}

func TestNetworkCloseStopsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Second})
		n.SetLink(a2, b1, LinkProps{})
		_, entered, release := blockingConn(t, n)
		send(t, n.ca, a2, netip.AddrPortFrom(b1, portB+1), []byte("in the handler"))
		<-entered
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("in flight"))
		time.Sleep(time.Second / 2)
		send(t, n.ca, a1, netip.AddrPortFrom(b1, portB), []byte("in flight"))
		go func() {
			time.Sleep(time.Minute)
			close(release)
		}()

		start := time.Now()
		n.Close() // returns when the handler does, with every goroutine gone
		if d := time.Since(start); d != time.Minute {
			t.Errorf("Close returned after %v, want the minute the handler took", d)
		}
		n.Close()
		if got := n.rb.arrivals(); len(got) != 0 {
			t.Errorf("delivered %v after Close", got)
		}
		if err := n.ca.Send(encap.Datagram{Local: netip.AddrPortFrom(a1, 0), Remote: netip.AddrPortFrom(b1, portB)}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close: %v, want ErrClosed", err)
		}
		if _, err := n.a.Open(0, func([]encap.Datagram) {}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Open after Close: %v, want ErrClosed", err)
		}
	})
}
