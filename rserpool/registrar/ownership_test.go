package registrar

import (
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestHijackRefused plays the registration hijack of RFC 5355: another
// association, with addresses of its own, re-registers a known element
// (identifiers are public) and deregisters it. Both are refused while the
// owner's association lives, the element stays where it was, the refusals
// are counted, and the owner is probed with a keep-alive at once.
func TestHijackRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		victim := env.dial(env.host("pe", peAddr))
		attacker := env.dial(env.host("attacker", peAddr2))
		victim.mustRegister("echo", element(1, roundRobin, peAddr))
		start := time.Now()

		r := attacker.register("echo", element(1, roundRobin, peAddr2))
		if !r.Reject || !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseRejectedSecurity}) {
			t.Errorf("hijacking re-registration: %+v", r)
		}
		attacker.send(&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 1})
		if r := expect[wire.DeregistrationResponse](attacker); !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseRejectedSecurity}) {
			t.Errorf("hijacking deregistration: %+v", r)
		}
		if ka := expect[wire.EndpointKeepAlive](victim); ka.PEID != 1 || time.Since(start) >= DefaultKeepAliveInterval {
			t.Errorf("keep-alive %+v after %v, want one for element 1 at once", ka, time.Since(start))
		}

		res := attacker.resolve("echo", 0)
		if len(res.Elements) != 1 || !slices.Equal(res.Elements[0].UserTransport.Addrs, []netip.Addr{peAddr}) {
			t.Errorf("after the attempts: %+v", res)
		}
		if s := env.r.Stats(); s.Refused.Ownership != 2 || s.Elements != 1 || s.Reregistrations != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestTakeoverAfterOwnerEnded moves an element to a new association once
// the association that registered it has ended, as after a handover that
// needed a new association: the end of the old association no longer
// removes the element.
func TestTakeoverAfterOwnerEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		old := env.dial(env.host("pe", peAddr))
		moved := env.dial(env.host("pe moved", peAddr2))
		old.mustRegister("echo", element(1, roundRobin, peAddr))
		old.a.Abort("moved away")
		nextEvent(t, env.r, EventRemoved)
		moved.mustRegister("echo", element(1, roundRobin, peAddr2))
		res := moved.resolve("echo", 0)
		if len(res.Elements) != 1 || !slices.Equal(res.Elements[0].UserTransport.Addrs, []netip.Addr{peAddr2}) {
			t.Errorf("after the takeover: %+v", res)
		}
	})
}

// TestTakeoverAfterKeepAliveFailure lets an owner that no longer answers
// keep-alives lose its element: the refused claim probes it, the probe
// times out, and the claimant's next registration succeeds.
func TestTakeoverAfterKeepAliveFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		silent := env.dial(env.host("pe", peAddr)) // never reads its keep-alives
		claimant := env.dial(env.host("pe moved", peAddr2))
		silent.mustRegister("echo", element(1, roundRobin, peAddr))
		start := time.Now()
		if r := claimant.register("echo", element(1, roundRobin, peAddr2)); !r.Reject {
			t.Fatalf("claim while the owner lives: %+v", r)
		}
		if ev := nextEvent(t, env.r, EventRemoved); ev.Reason != RemovedKeepAliveTimeout {
			t.Fatalf("removal %v", ev)
		}
		if d := time.Since(start); d > DefaultKeepAliveTimeout+time.Second {
			t.Errorf("the silent owner lost its element after %v, want about the keep-alive timeout", d)
		}
		claimant.mustRegister("echo", element(1, roundRobin, peAddr2))
	})
}

// TestTakeOverHook lets Config.TakeOver allow a claim, and checks what it
// is told.
func TestTakeOverHook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var claims []Claim
		allow := func(c Claim) bool {
			c.Handle = slices.Clone(c.Handle)
			claims = append(claims, c)
			return c.Association != nil
		}
		env := newSimEnv(t, Config{TakeOver: allow}, shortLinks)
		owner := env.dial(env.host("pe", peAddr))
		claimant := env.dial(env.host("pe moved", peAddr2))
		owner.mustRegister("echo", element(1, roundRobin, peAddr))
		claimant.mustRegister("echo", element(1, roundRobin, peAddr2))
		if len(claims) != 1 || string(claims[0].Handle) != "echo" || claims[0].ID != 1 ||
			claims[0].From.Addr() != peAddr2 || claims[0].Owner.Addr() != peAddr {
			t.Errorf("claims %+v", claims)
		}
		owner.a.Abort("gone")
		if s := env.r.Stats(); s.Elements != 1 || s.Removals.Association != 0 {
			t.Errorf("the old owner's end took the element: %+v", s)
		}
	})
}

// TestOwnershipFollowsTheAssociation moves an element's host to a new
// address within its association (as ASCONF does): its re-registration
// with the new address is accepted, because ownership belongs to the
// association, not to its addresses.
func TestOwnershipFollowsTheAssociation(t *testing.T) {
	h := newHandlerRig()
	conn := h.s.conn.(*fakeConn)
	register := func(addr netip.Addr) *wire.RegistrationResponse {
		out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.Registration{Handle: wire.PoolHandle("echo"), Element: element(1, roundRobin, addr)}))
		var r wire.RegistrationResponse
		m, err := wire.ParseASAP(out[0].msg)
		if err == nil {
			err = m.Decode(&r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return &r
	}
	if r := register(peAddr); r.Reject {
		t.Fatalf("registration: %+v", r)
	}
	conn.peers = []netip.Addr{peAddr2} // the host moved; the association followed
	if r := register(peAddr2); r.Reject {
		t.Fatalf("re-registration from the new address: %+v", r)
	}
	if tab := h.c.table(); !slices.Equal(tab.Pools[0].Elements[0].UserTransport.Addrs, []netip.Addr{peAddr2}) {
		t.Errorf("table %+v", tab)
	}
}
