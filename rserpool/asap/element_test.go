package asap

import (
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

var (
	reg1Addr = netip.MustParseAddr("192.0.2.1")
	reg2Addr = netip.MustParseAddr("192.0.2.2")
	pe1Addr  = netip.MustParseAddr("192.0.2.11")
	pe2Addr  = netip.MustParseAddr("192.0.2.12")
	pe3Addr  = netip.MustParseAddr("192.0.2.13")
	puAddr   = netip.MustParseAddr("192.0.2.21")
)

var echoHandle = wire.PoolHandle("EchoPool")

// registered returns the element id of registrar r's table, if present.
func registered(r *registrar.Registrar, id wire.PEID) (registrar.Element, bool) {
	t := r.Table()
	for _, p := range t.Pools {
		for _, e := range p.Elements {
			if e.ID == id {
				return e, true
			}
		}
	}
	return registrar.Element{}, false
}

func TestElementRegistersAndDeregisters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		policy := wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: 3}
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, Policy: policy, ReregInterval: 10 * time.Second})
		ev := elementEvent(t, e, ElementRegistered)
		if len(ev.Registrar.Addrs) == 0 || ev.Registrar.Addrs[0] != reg1Addr {
			t.Errorf("registered at %v, want %v", ev.Registrar, reg1Addr)
		}
		got, ok := registered(r, e.ID())
		if !ok {
			t.Fatalf("element $%08x not in the registrar's table %+v", uint32(e.ID()), r.Table())
		}
		ut := got.UserTransport
		if got.RegLife != 30000 || got.Policy != policy || ut.Type != wire.ParamSCTPTransport ||
			ut.Port != 7000 || len(ut.Addrs) != 1 || ut.Addrs[0] != pe1Addr || ut.Use != wire.DataPlusControl {
			t.Errorf("registered as %+v", got.PoolElement)
		}

		if err := e.Close(); err != nil {
			t.Fatal("close:", err)
		}
		if _, ok := registered(r, e.ID()); ok || r.Stats().Deregistrations != 1 {
			t.Errorf("after Close: still registered %v, %d deregistrations", ok, r.Stats().Deregistrations)
		}
		elementEvent(t, e, ElementDeregistered)
	})
}

func TestElementReregistersBeforeLifeEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, ReregInterval: 2 * time.Second})
		elementEvent(t, e, ElementRegistered)
		start := time.Now()
		for i := 1; i <= 3; i++ {
			elementEvent(t, e, ElementReregistered)
			if got, want := time.Since(start), time.Duration(i)*2*time.Second; got < want || got > want+time.Second {
				t.Errorf("re-registration %d after %v, want about %v", i, got, want)
			}
		}
		if s := r.Stats(); s.Reregistrations != 3 || s.Removals.Expired != 0 {
			t.Errorf("registrar saw %d re-registrations and %d expiries, want 3 and 0", s.Reregistrations, s.Removals.Expired)
		}
	})
}

func TestElementAnswersKeepAlives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		// Registrations last longer than the test: only the answers to
		// keep-alives (one a second) keep the element in the pool.
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, ReregInterval: time.Hour})
		elementEvent(t, e, ElementRegistered)
		time.Sleep(10 * time.Second)
		s := r.Stats()
		if s.KeepAlivesSent < 9 || s.KeepAliveAcks != s.KeepAlivesSent || s.Removals.KeepAliveTimeout != 0 {
			t.Errorf("%d keep-alives, %d acks, %d timeouts", s.KeepAlivesSent, s.KeepAliveAcks, s.Removals.KeepAliveTimeout)
		}
		if _, ok := registered(r, e.ID()); !ok {
			t.Error("element gone from the registrar")
		}
	})
}

// TestElementRegistrarFailover kills the element's registrar silently: the
// element finds out when its next registration goes unanswered, and
// registers at the next registrar of its list.
func TestElementRegistrarFailover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, h1, reg1 := w.registrar("registrar1", reg1Addr)
		r2, _, reg2 := w.registrar("registrar2", reg2Addr)
		interval := 2 * time.Second
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg1, reg2}, ReregInterval: interval})
		if ev := elementEvent(t, e, ElementRegistered); ev.Registrar.Addrs[0] != reg1Addr {
			t.Fatalf("registered at %v first, want %v", ev.Registrar.Addrs, reg1Addr)
		}
		killed := time.Now()
		h1.RemoveAddr(reg1Addr)
		lost := elementEvent(t, e, ElementRegistrarLost)
		ev := elementEvent(t, e, ElementRegistered)
		if lost.Registrar.Addrs[0] != reg1Addr || ev.Registrar.Addrs[0] != reg2Addr {
			t.Errorf("lost %v, registered at %v; want %v then %v", lost.Registrar.Addrs, ev.Registrar.Addrs, reg1Addr, reg2Addr)
		}
		if took := time.Since(killed); took > interval+DefaultRequestTimeout+time.Second {
			t.Errorf("registered elsewhere %v after the registrar died", took)
		}
		if _, ok := registered(r2, e.ID()); !ok {
			t.Error("element not in the second registrar's table")
		}
	})
}

func TestElementRegistrationRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		rr, _ := w.element("pe1", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}})
		elementEvent(t, rr, ElementRegistered)
		other := ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, Policy: wire.Policy{Type: wire.PolicyRandom}}
		e, _ := w.element("pe2", pe2Addr, other)
		ev := elementEvent(t, e, ElementRegistrationFailed)
		var oe *OperationError
		if !errors.As(ev.Err, &oe) || len(oe.Causes) != 1 || oe.Causes[0] != wire.CauseInconsistentPolicy {
			t.Errorf("refusal %v, want an OperationError with %v", ev.Err, wire.CauseInconsistentPolicy)
		}
	})
}

func TestNewElementChecksConfig(t *testing.T) {
	ep, err := stack.Listen(stack.Config{Port: 7001, EphemeralUDPPort: true}) // differs
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	reg := []stack.Remote{{Addrs: []netip.Addr{reg1Addr}, Port: wire.PortASAP}}
	for _, tc := range []struct {
		cfg  ElementConfig
		want string
	}{
		{ElementConfig{Registrars: reg}, "Handle is empty"},
		{ElementConfig{Handle: echoHandle}, "Registrars is empty and there are no Announces"},
		{ElementConfig{Handle: echoHandle, Registrars: reg}, "UDP port"},
		{ElementConfig{Handle: echoHandle, Registrars: reg, ReregInterval: 1 << 62}, "ReregInterval"},
	} {
		if _, err := NewElement(ep, tc.cfg); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %q", tc.cfg, err, tc.want)
		}
	}
}

// TestElementWithoutRegistrar: the failure names the registrar tried, and
// Close does not claim a deregistration that never was a registration.
func TestElementWithoutRegistrar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		nobody := stack.Remote{Addrs: []netip.Addr{reg1Addr}, Port: wire.PortASAP}
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{nobody}, RequestTimeout: time.Second})
		ev := elementEvent(t, e, ElementRegistrationFailed)
		if !errors.Is(ev.Err, ErrNoRegistrar) || !contains(ev.Err.Error(), "192.0.2.1:3863") || !contains(ev.Err.Error(), "no INIT ACK") {
			t.Errorf("registration failed with %v, want ErrNoRegistrar naming 192.0.2.1:3863 and no INIT ACK", ev.Err)
		}
		e.Close()
		for ev := range e.Events() {
			if ev.Type == ElementDeregistered {
				t.Errorf("event %v after Close, though the element never registered", ev)
			}
		}
	})
}
