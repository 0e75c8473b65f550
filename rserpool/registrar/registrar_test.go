package registrar

import (
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

var shortLinks = simnet.LinkProps{Delay: 10 * time.Millisecond}

// TestRegisterResolveDeregister runs the ASAP basics: two elements
// register, a pool user resolves the pool with and without the Handle
// Resolution Option and an unknown pool, one element deregisters.
func TestRegisterResolveDeregister(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{ServerID: 0x5e5e}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pu := env.dial(env.host("pu", puAddr))

		for _, id := range []wire.PEID{1, 2} {
			r := pe.register("echo", element(id, roundRobin, peAddr))
			if r.Reject || len(r.Error.Causes) > 0 || string(r.Handle) != "echo" || r.PEID != id {
				t.Fatalf("registration %d: %+v", id, r)
			}
			if ev := nextEvent(t, env.r, EventRegistered); ev.ID != id || ev.Element.HomeServer != 0x5e5e {
				t.Errorf("event %v, element %+v", ev, ev.Element)
			}
		}

		res := pu.resolve("echo", 0)
		if len(res.Elements) != 2 || res.Policy.Type != wire.PolicyRoundRobin || len(res.Error.Causes) > 0 {
			t.Fatalf("resolution: %+v", res)
		}
		for _, e := range res.Elements {
			if e.HomeServer != 0x5e5e || e.RegLife != 30000 || !slices.Equal(e.UserTransport.Addrs, []netip.Addr{peAddr}) {
				t.Errorf("resolved element %+v", e)
			}
		}
		if res := pu.resolve("echo", 1); len(res.Elements) != 1 {
			t.Errorf("resolution for 1 item returned %d", len(res.Elements))
		}
		if res := pu.resolve("nothing", 0); len(res.Elements) != 0 || !slices.Equal(causeCodes(res.Error.Causes), []wire.CauseCode{wire.CauseUnknownPoolHandle}) {
			t.Errorf("resolution of an unknown pool: %+v", res)
		}

		pe.send(&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 1})
		if r := expect[wire.DeregistrationResponse](pe); len(r.Error.Causes) > 0 || r.PEID != 1 {
			t.Errorf("deregistration: %+v", r)
		}
		if ev := nextEvent(t, env.r, EventRemoved); ev.ID != 1 || ev.Reason != RemovedDeregistered {
			t.Errorf("removal event %v", ev)
		}
		if res := pu.resolve("echo", 0); len(res.Elements) != 1 || res.Elements[0].ID != 2 {
			t.Errorf("after deregistration: %+v", res)
		}

		s := env.r.Stats()
		got := []uint64{s.Registrations, s.Resolutions, s.ResolutionsUnknown, s.Deregistrations, s.Removals.Deregistered,
			s.ErrorsSent[wire.CauseUnknownPoolHandle], uint64(s.Pools), uint64(s.Elements), uint64(s.Sessions)}
		if want := []uint64{2, 4, 1, 1, 1, 1, 1, 1, 2}; !slices.Equal(got, want) {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestTable checks the in-process view of the handlespace.
func TestTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		ep := env.host("pe", peAddr, peAddr2)
		pe := env.dial(ep)
		start := time.Now()
		pe.mustRegister("b", element(7, wire.Policy{Type: wire.PolicyLeastUsed, Load: 9}, peAddr, peAddr2))
		pe.mustRegister("a", element(3, roundRobin, peAddr2))
		tab := env.r.Table()
		if tab.Server != env.r.ServerID() || len(tab.Pools) != 2 || tab.Pools[0].Handle != "a" || tab.Pools[1].Handle != "b" {
			t.Fatalf("table %+v", tab)
		}
		e := tab.Pools[1].Elements[0]
		if tab.Pools[1].Policy != wire.PolicyLeastUsed || e.ID != 7 || e.Policy.Load != 9 || len(e.UserTransport.Addrs) != 2 {
			t.Errorf("element %+v", e)
		}
		if e.ASAPTransport.Port != ep.Port() || !slices.Contains(e.ASAPTransport.Addrs, peAddr) {
			t.Errorf("ASAP transport %+v, want port %d", e.ASAPTransport, ep.Port())
		}
		if e.Registered.Before(start) || e.Expires != e.Registered.Add(30*time.Second) {
			t.Errorf("registered %v, expires %v", e.Registered, e.Expires)
		}
	})
}
