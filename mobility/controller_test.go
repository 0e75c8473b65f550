package mobility

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var (
	a1 = netip.MustParseAddr("10.1.1.2")
	a2 = netip.MustParseAddr("10.1.2.2")
	b1 = netip.MustParseAddr("10.2.1.2")
	b2 = netip.MustParseAddr("10.2.2.2")
	f1 = netip.MustParseAddr("203.0.113.66") // a forger's
)

// pair returns two connected nodes; a and b are pool elements as asked.
func pair(s *sim, aElement, bElement bool) (*simNode, *simNode) {
	h := func(ok bool, name string) string {
		if ok {
			return name
		}
		return ""
	}
	a := s.node("A", a1, h(aElement, "node-a"), ControllerConfig{PeerResolvable: bElement})
	b := s.node("B", b1, h(bElement, "node-b"), ControllerConfig{PeerResolvable: aElement})
	connect(a, b)
	return a, b
}

// checkRecovered checks that n re-attached without a fallback, and that
// its first data after the move arrived within bound of at.
func checkRecovered(t *testing.T, n *simNode, at time.Time, bound time.Duration) {
	t.Helper()
	if n.fellBack || n.ctl.InHandover() {
		t.Errorf("%s: fell back %v, still in handover %v", n.name, n.fellBack, n.ctl.InHandover())
	}
	e, ok := n.first(EventFirstData)
	if !ok {
		t.Fatalf("%s: no data after the move", n.name)
	}
	if took := e.Time.Sub(at); took > bound {
		t.Errorf("%s: first data %v after the later node got its address, want at most %v", n.name, took, bound)
	}
}

// TestBothMoveAtOnce moves both nodes at the same instant, break before
// make, with a gap without any address, in the symmetric setup (both are
// pool elements) and the asymmetric one (only B is). Both re-attach, and
// the first data after the later node got its new address arrives within
// the registrar round trip plus 3 path round trips plus the first
// back-off step. Once attached, neither resolves nor sends ASCONFs any
// more: they converge instead of fighting.
func TestBothMoveAtOnce(t *testing.T) {
	for _, c := range []struct {
		symmetric       bool
		regRTT, pathRTT time.Duration
		gap, skew       time.Duration // skew: B's new address comes this much later
	}{
		{true, 20 * time.Millisecond, 40 * time.Millisecond, time.Second, 0},
		{true, 60 * time.Millisecond, 10 * time.Millisecond, time.Second, 0},
		{true, 20 * time.Millisecond, 40 * time.Millisecond, 10 * time.Second, 30 * time.Millisecond},
		{true, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, 250 * time.Millisecond},
		{false, 20 * time.Millisecond, 40 * time.Millisecond, time.Second, 0},
		{false, 60 * time.Millisecond, 10 * time.Millisecond, time.Second, 5 * time.Millisecond},
		{false, 20 * time.Millisecond, 40 * time.Millisecond, 10 * time.Second, 300 * time.Millisecond},
	} {
		name := fmt.Sprintf("symmetric=%v/reg=%v/path=%v/gap=%v/skew=%v", c.symmetric, c.regRTT, c.pathRTT, c.gap, c.skew)
		t.Run(name, func(t *testing.T) {
			s := newSim(t, c.regRTT, c.pathRTT)
			a, b := pair(s, c.symmetric, true)
			move := epoch.Add(time.Second)
			a.move(move, c.gap, a2)
			b.move(move, c.gap+c.skew, b2)
			s.run(epoch.Add(2 * time.Minute))
			a.log(t)
			b.log(t)
			later := move.Add(c.gap + c.skew)
			bound := c.regRTT + 3*c.pathRTT + backoffStep(c.skew)
			checkRecovered(t, a, later, bound)
			checkRecovered(t, b, later, bound)
			for _, n := range []*simNode{a, b} {
				confirmed, _ := n.first(EventPathConfirmed)
				for _, e := range n.events {
					if (e.Type == EventASCONFSent || e.Type == EventPeerResolved) && e.Time.After(confirmed.Time) {
						t.Errorf("%s: %v after the path was confirmed at %v", n.name, e, confirmed.Time.Sub(epoch))
					}
				}
				if n.count(EventPathConfirmed) != 1 {
					t.Errorf("%s: %d path confirmations, want 1", n.name, n.count(EventPathConfirmed))
				}
			}
			if !c.symmetric && a.actions[ActReregister]+b.actions[ActResolvePeer] != 0 {
				t.Errorf("the pool user re-registered (%d) or the element resolved (%d)", a.actions[ActReregister], b.actions[ActResolvePeer])
			}
			if got := b.actions[ActReregister]; got != 1 {
				t.Errorf("B re-registered %d times, want 1", got)
			}
		})
	}
}

// backoffStep returns the resolution back-off step in effect elapsed
// after the resolutions started.
func backoffStep(elapsed time.Duration) time.Duration {
	d, t := DefaultResolveBackoff, time.Duration(0)
	for t+d <= elapsed {
		t += d
		d = min(2*d, DefaultResolveBackoffMax)
	}
	return d
}

// TestPeerMovesAlone: only the pool element moves; the pool user sees
// every path go down, resolves the element's handle and re-attaches.
func TestPeerMovesAlone(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	a, b := pair(s, false, true)
	move := epoch.Add(time.Second)
	b.move(move, time.Second, b2)
	s.at(move.Add(500*time.Millisecond), func() { a.confirmed = nil; a.apply(a.ctl.AllPathsDown(s.now)) })
	s.run(epoch.Add(time.Minute))
	a.log(t)
	checkRecovered(t, a, move.Add(time.Second), 20*time.Millisecond+3*40*time.Millisecond+2*DefaultResolveBackoffMax)
	checkRecovered(t, b, move.Add(time.Second), 20*time.Millisecond+3*40*time.Millisecond+2*DefaultResolveBackoffMax)
}

// TestResolveBackoff: while the peer does not re-register, resolutions
// repeat after 100 ms, then twice as long each time up to the cap.
func TestResolveBackoff(t *testing.T) {
	s := newSim(t, 0, 40*time.Millisecond)
	a, b := pair(s, true, true)
	a.move(epoch, 0, a2)
	b.move(epoch, time.Hour, b2) // B is gone for good
	s.run(epoch.Add(10 * time.Second))
	var gaps []time.Duration
	last := time.Time{}
	for _, e := range a.events {
		if e.Type == EventPeerResolved {
			if !last.IsZero() {
				gaps = append(gaps, e.Time.Sub(last))
			}
			last = e.Time
		}
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000}
	if len(gaps) < len(want) {
		t.Fatalf("resolution intervals %v, want at least %d", gaps, len(want))
	}
	for i, w := range want {
		if gaps[i] != w*time.Millisecond {
			t.Errorf("interval %d: %v, want %v (all: %v)", i, gaps[i], w*time.Millisecond, gaps)
		}
	}
}

// TestDeadlineFallback: the peer never comes back; at the deadline the
// node falls back to session failover and says so, once.
func TestDeadlineFallback(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	a, b := pair(s, true, true)
	move := epoch.Add(time.Second)
	a.move(move, time.Second, a2)
	b.move(move, time.Hour, b2)
	s.run(epoch.Add(5 * time.Minute))
	e, ok := a.first(EventFallback)
	if !ok || !a.fellBack || a.actions[ActFallback] != 1 {
		t.Fatalf("fallback event %v (%v), fell back %v, %d fallback actions", e, ok, a.fellBack, a.actions[ActFallback])
	}
	if !errors.Is(e.Err, ErrDeadline) || !e.Time.Equal(move.Add(DefaultDeadline)) || e.Since != DefaultDeadline {
		t.Errorf("fallback %v at %v, want %v at %v", e, e.Time.Sub(epoch), ErrDeadline, move.Add(DefaultDeadline).Sub(epoch))
	}
	if n := len(a.events); a.events[n-1].Type != EventFallback {
		t.Errorf("events after the fallback: %v", a.events[n-1])
	}
}

// TestAssociationLostFallsBack: a peer that restarted aborts the
// association; the node falls back at once.
func TestAssociationLostFallsBack(t *testing.T) {
	c := NewController(ControllerConfig{PeerResolvable: true}, []netip.Addr{a1})
	acts := c.AssociationLost(epoch, errors.New("peer restarted"))
	if len(acts) != 2 || acts[0].Type != ActFallback || acts[1].Event.Type != EventFallback {
		t.Fatalf("actions %+v", acts)
	}
	if acts := c.OwnAddrs(epoch, []netip.Addr{a2}); len(acts) != 0 {
		t.Errorf("actions after the fallback: %+v", acts)
	}
}

// TestForgedRegistration: a forger registered its own address under B's
// handle. It gets an ASCONF it cannot answer (it cannot sign an
// ASCONF-ACK for the association); the genuine address is tried too, so
// the forgery neither steals nor stalls the association.
func TestForgedRegistration(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	a, b := pair(s, true, true)
	s.forged["node-b"] = []netip.Addr{f1}
	move := epoch.Add(time.Second)
	a.move(move, time.Second, a2)
	b.move(move, time.Second, b2)
	s.run(epoch.Add(time.Minute))
	a.log(t)
	bound := 20*time.Millisecond + 3*40*time.Millisecond + DefaultResolveBackoff
	checkRecovered(t, a, move.Add(time.Second), bound)
	checkRecovered(t, b, move.Add(time.Second), bound)
	for _, e := range a.events {
		if e.Type == EventPathConfirmed && e.Addr == f1 {
			t.Errorf("path to the forged address confirmed")
		}
	}
	if _, ok := a.first(EventASCONFSent); !ok {
		t.Error("no ASCONF sent")
	}
}

// TestMoveAgainDuringHandover: a node that moves again before the peer
// answered sends its ASCONF to the same peer address again, from the new
// address; without a new address it does not repeat it.
func TestMoveAgainDuringHandover(t *testing.T) {
	c := NewController(ControllerConfig{PeerResolvable: true}, []netip.Addr{a1})
	c.OwnAddrs(epoch, nil)
	if acts := c.OwnAddrs(epoch, []netip.Addr{a2}); !hasAction(acts, ActResolvePeer) {
		t.Fatalf("no resolution after the new address: %+v", acts)
	}
	if acts := c.Resolved(epoch.Add(20*time.Millisecond), []netip.Addr{b1}, nil); !hasAction(acts, ActSendReattach) {
		t.Fatalf("no ASCONF: %+v", acts)
	}
	c.Tick(epoch.Add(100 * time.Millisecond))
	if acts := c.Resolved(epoch.Add(120*time.Millisecond), []netip.Addr{b1}, nil); hasAction(acts, ActSendReattach) {
		t.Errorf("ASCONF repeated from the same address: %+v", acts)
	}
	third := netip.MustParseAddr("10.1.3.2")
	acts := c.OwnAddrs(epoch.Add(150*time.Millisecond), []netip.Addr{third})
	if !hasAction(acts, ActResolvePeer) {
		t.Fatalf("no resolution after the second move: %+v", acts)
	}
	acts = c.Resolved(epoch.Add(170*time.Millisecond), []netip.Addr{b1}, nil)
	i := slices.IndexFunc(acts, func(a Action) bool { return a.Type == ActSendReattach })
	if i < 0 || acts[i].To != b1 || !slices.Equal(acts[i].Addrs, []netip.Addr{third}) {
		t.Errorf("after the second move: %+v", acts)
	}
}

func hasAction(acts []Action, typ ActionType) bool {
	return slices.ContainsFunc(acts, func(a Action) bool { return a.Type == typ })
}

// TestRegistrarRestartDuringMove: the registrar restarts with an empty
// table while both nodes are without an address; resolutions find
// nothing until the nodes re-registered with their new addresses, and
// both still re-attach within the bound.
func TestRegistrarRestartDuringMove(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	a, b := pair(s, true, true)
	move := epoch.Add(time.Second)
	a.move(move, time.Second, a2)
	b.move(move, time.Second+50*time.Millisecond, b2)
	s.at(move.Add(500*time.Millisecond), func() { clear(s.registry) })
	s.run(epoch.Add(time.Minute))
	a.log(t)
	later := move.Add(time.Second + 50*time.Millisecond)
	bound := 20*time.Millisecond + 3*40*time.Millisecond + backoffStep(50*time.Millisecond)
	checkRecovered(t, a, later, bound)
	checkRecovered(t, b, later, bound)
	if e, _ := a.first(EventPeerResolved); len(e.Addrs) != 0 {
		t.Errorf("A's first resolution found %v in the restarted registrar", e.Addrs)
	}
}

// TestRecoverFailoverFallsBackAtOnce: with RecoverFailover a node that
// loses every address falls back at that instant (ErrPathsLost) and
// its controller neither resolves the peer nor sends a re-attach ASCONF
// (the Conn's failover takes over from there).
func TestRecoverFailoverFallsBackAtOnce(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	s.recovery = RecoverFailover
	a, b := pair(s, true, true)
	move := epoch.Add(time.Second)
	a.move(move, time.Second, a2)
	s.run(epoch.Add(time.Minute))
	e, ok := a.first(EventFallback)
	if !ok || !errors.Is(e.Err, ErrPathsLost) || !e.Time.Equal(move) || a.actions[ActFallback] != 1 {
		t.Fatalf("fallback %v (%v) at %v, %d fallback actions; want %v at the move", e, ok, e.Time.Sub(epoch), a.actions[ActFallback], ErrPathsLost)
	}
	if a.actions[ActResolvePeer] != 0 || a.actions[ActSendReattach] != 0 || a.count(EventHandoverStarted) != 0 {
		t.Errorf("%d resolutions, %d re-attach ASCONFs, %d handovers after a fallback", a.actions[ActResolvePeer], a.actions[ActSendReattach], a.count(EventHandoverStarted))
	}
	if b.fellBack {
		t.Error("B fell back although it kept its address and nothing told it")
	}
}

// TestFailoverModel: the simulated failover (sim_failover_test.go) after
// both nodes moved at once: each falls back at its move, the dialler
// finds the peer's new address and continues the session; the first data
// after the later node got its address arrives within the registrar
// round trip, a back-off step and 3.5 path round trips (INIT, COOKIE
// ECHO, session Cookie Echo and answer, data), and the messages in flight
// at the move are counted for resending.
func TestFailoverModel(t *testing.T) {
	s := newSim(t, 20*time.Millisecond, 40*time.Millisecond)
	s.recovery = RecoverFailover
	a, b := pair(s, true, true)
	move := epoch.Add(time.Second)
	a.move(move, time.Second, a2)
	b.move(move, time.Second, b2)
	s.run(epoch.Add(time.Minute))
	later := move.Add(time.Second)
	bound := s.regRTT + DefaultResolveBackoff + 7*s.pathRTT/2
	for _, n := range []*simNode{a, b} {
		n.log(t)
		if n.fo == nil || !n.fo.done {
			t.Fatalf("%s did not fail over", n.name)
		}
		if fb, _ := n.first(EventFallback); !fb.Time.Equal(move) {
			t.Errorf("%s fell back at %v, want at the move", n.name, fb.Time.Sub(epoch))
		}
		e, ok := n.first(EventFirstData)
		if !ok || e.Time.Sub(later) > bound {
			t.Errorf("%s: first data %v after the later address, want at most %v", n.name, e.Time.Sub(later), bound)
		}
		if want := int(s.pathRTT / 2 / simInterval); n.fo.resent != want {
			t.Errorf("%s: %d messages to resend, want the %d in flight", n.name, n.fo.resent, want)
		}
	}
	if a.actions[ActSendReattach]+b.actions[ActSendReattach] != 0 {
		t.Error("re-attach ASCONFs with RecoverFailover")
	}
}
