package registrar

import (
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
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

// TestOwnershipAcrossASCONF moves a pool element's host to a new address
// and its registrar association with it (ASCONF, RFC 5061): the element's
// re-registration with the new address is accepted and replaces the old
// one, and a pool user is sent there.
func TestOwnershipAcrossASCONF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		host := env.n.AddHost("pe", peAddr)
		ep, err := stack.NewEndpoint(stack.Config{
			LocalAddrs: []netip.Addr{peAddr}, NoDelay: true,
			PacketConn: simstack.PacketConn(host, stack.DefaultUDPPort),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ep.Close() })
		pe := env.dial(ep)
		pe.mustRegister("echo", element(1, roundRobin, peAddr))

		host.AddAddr(peAddr2)
		if err := pe.a.AddLocalAddr(peAddr2); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // virtual: the ASCONF is acknowledged
		if err := pe.a.RemoveLocalAddr(peAddr); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		host.RemoveAddr(peAddr)

		pe.mustRegister("echo", element(1, roundRobin, peAddr2))
		pu := env.dial(env.host("pu", puAddr))
		res := pu.resolve("echo", 0)
		if len(res.Elements) != 1 || !slices.Equal(res.Elements[0].UserTransport.Addrs, []netip.Addr{peAddr2}) {
			t.Errorf("after the move: %+v", res)
		}
		if s := env.r.Stats(); s.Refused.Ownership != 0 || s.Reregistrations != 1 {
			t.Errorf("stats %+v", s)
		}
	})
}
