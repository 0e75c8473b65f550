package registrar

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// dropHost drops every datagram from and to addr from now on, as if the
// host had crashed.
func dropHost(n *simnet.Network, addr netip.Addr) {
	n.AddFilter(func(src, dst netip.AddrPort, _ []byte) simnet.Verdict {
		if src.Addr() == addr || dst.Addr() == addr {
			return simnet.Drop
		}
		return simnet.Pass
	})
}

// TestKilledElementRemoved kills a pool element that answered two
// keep-alives and checks, in virtual time, that the registrar removes it
// exactly KeepAliveInterval+KeepAliveTimeout after its last Ack arrived:
// the next keep-alive goes out an interval after that Ack, and the timeout
// runs out a timeout later.
func TestKilledElementRemoved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		registered := nextEvent(t, env.r, EventRegistered).Time
		acks := make(chan time.Time, 4)
		go pe.answerKeepAlives(acks)

		delay := shortLinks.Delay
		first, second := <-acks, <-acks
		if want := registered.Add(DefaultKeepAliveInterval + delay); !first.Equal(want) {
			t.Errorf("first keep-alive answered at %v, want %v", first.Sub(registered), want.Sub(registered))
		}
		if want := first.Add(delay + DefaultKeepAliveInterval + delay); !second.Equal(want) {
			t.Errorf("second keep-alive answered %v after the first, want %v", second.Sub(first), want.Sub(first))
		}
		time.Sleep(delay) // virtual: the second Ack has arrived
		dropHost(env.n, peAddr)
		killed := time.Now()

		ev := nextEvent(t, env.r, EventRemoved)
		lastAck := second.Add(delay) // when the registrar got it
		if want := lastAck.Add(DefaultKeepAliveInterval + DefaultKeepAliveTimeout); ev.Reason != RemovedKeepAliveTimeout || !ev.Time.Equal(want) {
			t.Errorf("removed at %v (%v), want %v after the last Ack (keep-alive timeout)", ev.Time.Sub(lastAck), ev.Reason, want.Sub(lastAck))
		}
		if limit := killed.Add(DefaultKeepAliveInterval + DefaultKeepAliveTimeout); ev.Time.After(limit) {
			t.Errorf("removed %v after the kill, more than interval + timeout", ev.Time.Sub(killed))
		}
		s := env.r.Stats()
		if s.KeepAlivesSent != 3 || s.KeepAliveAcks != 2 || s.Removals.KeepAliveTimeout != 1 || s.Elements != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestForeignAckIgnored checks that a Keep-Alive Ack from another
// association does not keep a dead element registered.
func TestForeignAckIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pu := env.dial(env.host("pu", puAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		registered := nextEvent(t, env.r, EventRegistered).Time
		time.Sleep(DefaultKeepAliveInterval + time.Second) // virtual: the keep-alive is out
		pu.send(&wire.EndpointKeepAliveAck{Handle: wire.PoolHandle("echo"), PEID: 1})
		ev := nextEvent(t, env.r, EventRemoved)
		if want := registered.Add(DefaultKeepAliveInterval + DefaultKeepAliveTimeout); ev.Reason != RemovedKeepAliveTimeout || !ev.Time.Equal(want) {
			t.Errorf("removed after %v (%v), want %v", ev.Time.Sub(registered), ev.Reason, want.Sub(registered))
		}
	})
}

// TestRegistrationLifeExpires checks that an element that does not
// re-register leaves when its life ends, and that a re-registration
// extends it. Keep-alives are made rare enough not to interfere.
func TestRegistrationLifeExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{KeepAliveInterval: time.Minute}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		e := element(1, roundRobin, peAddr)
		e.RegLife = 3000
		pe.mustRegister("echo", e)
		first := nextEvent(t, env.r, EventRegistered).Time
		time.Sleep(2 * time.Second) // virtual
		pe.mustRegister("echo", e)
		again := nextEvent(t, env.r, EventReregistered).Time

		ev := nextEvent(t, env.r, EventRemoved)
		if want := again.Add(3 * time.Second); ev.Reason != RemovedExpired || !ev.Time.Equal(want) {
			t.Errorf("removed %v after the first registration (%v), want %v", ev.Time.Sub(first), ev.Reason, want.Sub(first))
		}
	})
}

// TestAssociationEndRemovesElements aborts an association that registered
// two elements: both leave at once, as in RSPLIB.
func TestAssociationEndRemovesElements(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		pe.mustRegister("other", element(2, roundRobin, peAddr))
		pe.a.Abort("gone")
		aborted := time.Now()
		for range 2 {
			ev := nextEvent(t, env.r, EventRemoved)
			if ev.Reason != RemovedAssociation || !ev.Time.Equal(aborted.Add(shortLinks.Delay)) {
				t.Errorf("%v at %v after the abort", ev, ev.Time.Sub(aborted))
			}
		}
		if s := env.r.Stats(); s.Elements != 0 || s.Sessions != 0 || s.Removals.Association != 2 {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestUnreachableThreshold sends Endpoint Unreachable reports: the element
// stays until the third.
func TestUnreachableThreshold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pu := env.dial(env.host("pu", puAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		report := &wire.EndpointUnreachable{Handle: wire.PoolHandle("echo"), PEID: 1}
		for i := 1; i <= DefaultUnreachableThreshold; i++ {
			if res := pu.resolve("echo", 0); len(res.Elements) != 1 {
				t.Fatalf("before report %d: %d elements", i, len(res.Elements))
			}
			pu.send(report)
		}
		if ev := nextEvent(t, env.r, EventRemoved); ev.Reason != RemovedUnreachable {
			t.Errorf("removal %v", ev)
		}
		if res := pu.resolve("echo", 0); len(res.Elements) != 0 {
			t.Errorf("after %d reports: %d elements", DefaultUnreachableThreshold, len(res.Elements))
		}
		pu.send(report) // for an element that is gone: counted, harmless
		pu.resolve("echo", 0)
		if s := env.r.Stats(); s.Unreachables != 4 || s.Removals.Unreachable != 1 {
			t.Errorf("stats %+v", s)
		}
	})
}
