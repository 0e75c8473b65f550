package mobility

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

var (
	nodeA1 = netip.MustParseAddr("192.0.2.11")
	nodeB1 = netip.MustParseAddr("192.0.2.21")
	nodeB2 = netip.MustParseAddr("198.51.100.21")
)

// dialPair starts node B (a pool element) and node A (an element if
// aHandle is set), lets A dial B by its handle and returns both ends.
func dialPair(t testing.TB, w *world, aHandle string) (*Node, *Conn, *Node, *Conn) {
	b := w.node("B", nodeB1, 7000, "node-b")
	a := w.node("A", nodeA1, 7001, aHandle)
	waitEvent(t, b.Events(), EventReregistered)
	if aHandle != "" {
		waitEvent(t, a.Events(), EventReregistered)
	}
	accepted := make(chan *Conn, 1)
	go func() {
		c, err := b.Accept(t.Context())
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	ca, err := a.Dial(t.Context(), wire.PoolHandle("node-b"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ca.Close() })
	cb := <-accepted
	if cb == nil {
		t.FailNow()
	}
	t.Cleanup(func() { cb.Close() })
	return a, ca, b, cb
}

// TestDialAcceptByHandle: a node dials another by its pool handle; the
// acceptor learns the dialler's handle from its Business Card, and
// messages flow both ways.
func TestDialAcceptByHandle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, ca, _, cb := dialPair(t, w, "node-a")
		if ev := waitEvent(t, cb.Events(), EventPeerHandle); string(ev.Handle) != "node-a" {
			t.Errorf("peer handle event %v", ev)
		}
		if string(cb.PeerHandle()) != "node-a" || string(ca.PeerHandle()) != "node-b" {
			t.Errorf("peer handles %q and %q", ca.PeerHandle(), cb.PeerHandle())
		}
		if err := ca.Send(t.Context(), []byte("ping"), 1); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, stream, err := cb.Recv(t.Context(), buf)
		if err != nil || string(buf[:n]) != "ping" || stream != 1 {
			t.Fatalf("received %q on stream %d, %v", buf[:n], stream, err)
		}
		sb, err := cb.Stream(2)
		if err != nil {
			t.Fatal(err)
		}
		sa, err := ca.Stream(2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Write([]byte("pong")); err != nil {
			t.Fatal(err)
		}
		if n, err := sa.Read(buf); err != nil || string(buf[:n]) != "pong" {
			t.Fatalf("stream read %q, %v", buf[:n], err)
		}
	})
}

// TestOneConnPerPeer: a node that has a Conn with a peer, whichever end
// dialed, cannot dial it a second time (a second association would
// restart the first at the peer), and the Conn it has goes on.
func TestOneConnPerPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		a, ca, b, cb := dialPair(t, w, "node-a")
		if _, err := a.Dial(t.Context(), wire.PoolHandle("node-b")); !errors.Is(err, stack.ErrAssociated) {
			t.Errorf("the dialler again: %v, want stack.ErrAssociated", err)
		}
		if _, err := b.Dial(t.Context(), wire.PoolHandle("node-a")); !errors.Is(err, stack.ErrAssociated) {
			t.Errorf("the acceptor: %v, want stack.ErrAssociated", err)
		}
		time.Sleep(time.Second)
		if err := ca.Send(t.Context(), []byte("ping"), 1); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		if n, _, err := cb.Recv(t.Context(), buf); err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("received %q, %v", buf[:n], err)
		}
	})
}

// TestPoolUserDials: a node without a handle (the asymmetric setup) dials
// an element; the element knows it cannot resolve it.
func TestPoolUserDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		a, ca, _, cb := dialPair(t, w, "")
		if err := ca.Send(t.Context(), []byte("hello"), 1); err != nil {
			t.Fatal(err)
		}
		if n, _, err := cb.Recv(t.Context(), make([]byte, 64)); err != nil || n != 5 {
			t.Fatalf("received %d bytes, %v", n, err)
		}
		if len(cb.PeerHandle()) != 0 || string(ca.PeerHandle()) != "node-b" {
			t.Errorf("peer handles %q and %q", ca.PeerHandle(), cb.PeerHandle())
		}
		if _, err := a.Accept(t.Context()); err == nil {
			t.Error("a node without a handle accepted")
		}
	})
}

// TestNodeMoveReregistersAndResolves moves node B, break before make. It
// re-registers at once with its new address (a resolution shows only
// that one). A did not move, so B's own ASCONF (AutoASCONF, from the new
// address) ends the handover its association reports (a resolution is
// not needed, though one may start), the path is confirmed within a round trip of the new address,
// and a message sent after the move arrives on the same association.
func TestNodeMoveReregistersAndResolves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		a, ca, b, cb := dialPair(t, w, "node-a")
		waitEvent(t, cb.Events(), EventPeerHandle)
		bh := w.hosts["B"]
		bh.RemoveAddr(nodeB1)
		time.Sleep(200 * time.Millisecond)
		bh.AddAddr(nodeB2)
		waitReregistered(t, b, nodeB2)
		got, err := a.reg.Resolve(t.Context(), wire.PoolHandle("node-b"))
		if err != nil || len(got) != 1 || !slices.Equal(got[0].UserTransport.Addrs, []netip.Addr{nodeB2}) {
			t.Fatalf("B resolves to %v, %v; want %v", got, err, nodeB2)
		}
		if err := ca.Send(t.Context(), []byte("after"), 1); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 16)
		if n, _, err := cb.Recv(t.Context(), buf); err != nil || string(buf[:n]) != "after" {
			t.Errorf("received %q, %v after the move", buf[:n], err)
		}
		var seen []EventType
		var gained, confirmed time.Time
		for len(cb.Events()) > 0 {
			ev := <-cb.Events()
			seen = append(seen, ev.Type)
			switch ev.Type {
			case EventAddressGained:
				gained = ev.Time
			case EventPathConfirmed:
				confirmed = ev.Time
			}
		}
		// A resolution and a re-attach ASCONF may start before B's own
		// ASCONF is acknowledged; they change nothing then. The message
		// sent after the move comes last.
		if n := len(seen); n > 0 && seen[n-1] == EventFirstData {
			seen = seen[:n-1]
		}
		want := []EventType{EventAddressLost, EventHandoverStarted, EventAddressGained}
		if len(seen) < 4 || !slices.Equal(seen[:3], want) || seen[len(seen)-1] != EventPathConfirmed || slices.Contains(seen, EventFallback) {
			t.Errorf("events %v, want %v ... %v", seen, want, EventPathConfirmed)
		}
		if took := confirmed.Sub(gained); took > 2*2*oneWay {
			t.Errorf("path confirmed %v after the address was gained, want at most 2 RTT", took)
		}
	})
}

func waitReregistered(t *testing.T, n *Node, addr netip.Addr) Event {
	t.Helper()
	for range 10 {
		ev := waitEvent(t, n.Events(), EventReregistered)
		if ev.Err == nil && slices.Contains(ev.Addrs, addr) {
			return ev
		}
	}
	t.Fatalf("no re-registration with %v", addr)
	return Event{}
}

// TestNodeMakeBeforeBreak: node B gains a new address, then loses its old
// one, while A sends to it. AutoASCONF carries the move; the mobile
// association reports both addresses, starts no handover, and every
// message arrives, in order, on the same association.
func TestNodeMakeBeforeBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, ca, _, cb := dialPair(t, w, "node-a")
		bh := w.hosts["B"]
		const count = 150
		go func() {
			for i := range count {
				if err := ca.Send(t.Context(), fmt.Appendf(nil, "%d", i), 1); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		go func() {
			time.Sleep(500 * time.Millisecond)
			bh.AddAddr(nodeB2)
			time.Sleep(time.Second)
			bh.RemoveAddr(nodeB1)
		}()
		buf := make([]byte, 64)
		for i := range count {
			n, _, err := cb.Recv(t.Context(), buf)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if got := string(buf[:n]); got != fmt.Sprint(i) {
				t.Fatalf("message %d is %q", i, got)
			}
		}
		var seen []EventType
		for len(cb.Events()) > 0 {
			seen = append(seen, (<-cb.Events()).Type)
		}
		if !slices.Contains(seen, EventAddressGained) || !slices.Contains(seen, EventAddressLost) {
			t.Errorf("events %v, want the address gained and lost", seen)
		}
		if slices.Contains(seen, EventHandoverStarted) || slices.Contains(seen, EventFallback) {
			t.Errorf("events %v: a handover for a make-before-break move", seen)
		}
		if paths := cb.Association().Paths(); len(paths) == 0 {
			t.Error("no paths")
		}
	})
}
