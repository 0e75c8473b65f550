package asap

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

var peMovedAddr = netip.MustParseAddr("198.51.100.11")

// mobileEndpoint opens the endpoint of a mobile element: it follows its
// host's addresses (AutoASCONF), so that its registrar association
// follows its moves.
func (w *world) mobileEndpoint() (*stack.Endpoint, *simnet.Host) {
	h, cfg := w.host("pe", pe1Addr, 7000)
	cfg.AutoASCONF = true
	cfg.AddressWatcher = h.Watch()
	return w.endpoint(cfg), h
}

// movingElement starts an element on a mobile endpoint, and waits until
// it is registered.
func movingElement(t *testing.T, w *world, reg stack.Remote) (*Element, *stack.Endpoint, *simnet.Host) {
	ep, h := w.mobileEndpoint()
	e, err := NewElement(ep, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	elementEvent(t, e, ElementRegistered)
	return e, ep, h
}

// move takes the host from one address to another, break before make, and
// waits (at most 5 s of virtual time) until the endpoint uses only the new
// one.
func move(t *testing.T, h *simnet.Host, ep *stack.Endpoint, from, to netip.Addr) {
	t.Helper()
	h.RemoveAddr(from)
	h.AddAddr(to)
	for range 500 {
		if slices.Equal(ep.LocalAddrs(), []netip.Addr{to}) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("endpoint addresses %v, want only %v", ep.LocalAddrs(), to)
}

// queued reports whether an event of type typ is queued, reading all.
// (After a move the run loop may also register over the new association,
// before or after Reregister reports.)
func queued(e *Element, typ ElementEventType) bool {
	found := false
	for len(e.Events()) > 0 {
		if ev := <-e.Events(); ev.Type == typ {
			found = true
		}
	}
	return found
}

func addrsOf(els []wire.PoolElement) []netip.Addr {
	var out []netip.Addr
	for _, e := range els {
		out = append(out, e.UserTransport.Addrs...)
	}
	return out
}

// TestReregisterAfterMove moves an element to a new address, break before
// make. Its association with the registrar follows the move by ASCONF
// (AutoASCONF), so Reregister registers over the same association, which
// the registrar lets re-register the element it owns (a new association
// would be refused: issue 9, element ownership), and a resolution right
// after the answer names only the new address.
func TestReregisterAfterMove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		e, ep, h := movingElement(t, w, reg)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		if els, err := u.Resolve(t.Context(), echoHandle); err != nil || !slices.Equal(addrsOf(els), []netip.Addr{pe1Addr}) {
			t.Fatalf("before the move: resolved %v, %v; want %v", addrsOf(els), err, pe1Addr)
		}
		before := e.regs.conn

		move(t, h, ep, pe1Addr, peMovedAddr)
		start := time.Now()
		if err := e.Reregister(t.Context()); err != nil {
			t.Fatal(err)
		}
		// The ASCONF (1 round trip) and the registration (1).
		if took := time.Since(start); took > 2*2*oneWay {
			t.Errorf("re-registration took %v, want at most 2 round trips", took)
		}
		if e.regs.conn != before || before.ended() {
			t.Error("the association with the registrar did not survive the move")
		}
		els, err := u.ResolveFresh(t.Context(), echoHandle)
		if err != nil {
			t.Fatal(err)
		}
		if got := addrsOf(els); !slices.Equal(got, []netip.Addr{peMovedAddr}) || els[0].ID != e.ID() {
			t.Errorf("after the move: resolved %v (id $%08x), want only %v (id $%08x)", got, uint32(els[0].ID), peMovedAddr, uint32(e.ID()))
		}
		got, _ := registered(r, e.ID())
		if !slices.Equal(got.UserTransport.Addrs, []netip.Addr{peMovedAddr}) {
			t.Errorf("registrar table has %v", got.UserTransport.Addrs)
		}
		if n := r.Stats().Refused.Ownership; n != 0 {
			t.Errorf("%d claims refused, want none", n)
		}
		// The element itself resolves through its registrar association.
		if els, err := e.ResolveFresh(t.Context(), echoHandle); err != nil || !slices.Equal(addrsOf(els), []netip.Addr{peMovedAddr}) {
			t.Errorf("the element resolved %v, %v", addrsOf(els), err)
		}
		if !queued(e, ElementReregistered) {
			t.Errorf("no %v event queued", ElementReregistered)
		}
	})
}

// TestReregisterAfterMoveAssociationLost: the registrar association cannot
// follow the move (everything it sends from the new address is lost, as
// if the registrar had lost its state), and the registrar still takes it
// for alive. Reregister gives up on it after followTimeout and registers
// over a new association; the registrar refuses that while the old one
// owns the element, probes the old one at once, drops it within its
// keep-alive timeout (1 s here), and Reregister, repeating with a short
// back-off, succeeds then.
func TestReregisterAfterMoveAssociationLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		// Keep-alives and heartbeats seldom, so that only the probe of a
		// refused claim finds the old association gone.
		_, rcfg := w.host("registrar", reg1Addr, wire.PortASAP)
		rcfg.HeartbeatInterval = time.Minute
		r, err := registrar.Listen(registrar.Config{Endpoint: rcfg, KeepAliveInterval: time.Minute, KeepAliveTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		reg := stack.Remote{Addrs: []netip.Addr{reg1Addr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
		oldTags := map[uint32]bool{} // our verification tags of the old association
		w.n.AddFilter(func(src, dst netip.AddrPort, data []byte) simnet.Verdict {
			if dst.Addr() != reg1Addr || len(data) < 8 {
				return simnet.Pass
			}
			tag := binary.BigEndian.Uint32(data[4:8])
			if src.Addr() == pe1Addr && tag != 0 {
				oldTags[tag] = true
			}
			if src.Addr() == peMovedAddr && oldTags[tag] {
				return simnet.Drop
			}
			return simnet.Pass
		})
		e, ep, h := movingElement(t, w, reg)
		before := e.regs.conn
		// Let the delayed SACK of the registration's answer go first: with
		// its data unacknowledged, the registrar would find the old
		// association dead by retransmission, not by the probe under test.
		time.Sleep(time.Second)

		move(t, h, ep, pe1Addr, peMovedAddr)
		start := time.Now()
		if err := e.Reregister(t.Context()); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		t.Logf("re-registered after %v", took)
		if e.regs.conn == before {
			t.Error("still the old association")
		}
		if n := r.Stats().Refused.Ownership; n == 0 {
			t.Error("the registrar refused no claim: the test does not test the back-off")
		}
		// followTimeout, the keep-alive timeout, a back-off step and a
		// few round trips.
		if limit := followTimeout + time.Second + claimBackoffMax + 10*2*oneWay; took > limit {
			t.Errorf("re-registration took %v, want at most %v", took, limit)
		}
		got, ok := registered(r, e.ID())
		if !ok || !slices.Equal(got.UserTransport.Addrs, []netip.Addr{peMovedAddr}) {
			t.Errorf("registrar table has %v (present %v), want %v", got.UserTransport.Addrs, ok, peMovedAddr)
		}
	})
}

// TestReregisterAfterMoveNoLostEvent checks that replacing the registrar
// association is not reported as a registrar failure, and that the element
// stays registered at its new address afterwards.
func TestReregisterAfterMoveNoLostEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		e, ep, h := movingElement(t, w, reg)
		move(t, h, ep, pe1Addr, peMovedAddr)
		if err := e.Reregister(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * DefaultReregInterval)
		for len(e.Events()) > 0 {
			if ev := <-e.Events(); ev.Type == ElementRegistrarLost || ev.Type == ElementRegistrationFailed {
				t.Errorf("event %v after the move", ev)
			}
		}
		got, ok := registered(r, e.ID())
		if !ok || !slices.Equal(got.UserTransport.Addrs, []netip.Addr{peMovedAddr}) {
			t.Errorf("registrar table has %v (present %v), want %v", got.UserTransport.Addrs, ok, peMovedAddr)
		}
	})
}

// TestResolveFreshBypassesCache asks the registrar even when the cache
// holds a fresh answer.
func TestResolveFreshBypassesCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		for range 2 {
			if _, err := u.Resolve(t.Context(), echoHandle); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := u.ResolveFresh(t.Context(), echoHandle); err != nil {
			t.Fatal(err)
		}
		if n := p.reg.Stats().Resolutions; n != 2 {
			t.Errorf("%d resolutions at the registrar, want 2 (one cached, one fresh)", n)
		}
	})
}

// TestReregisterAtAnotherRegistrar: the element's registrar is gone when
// it moves; Reregister registers at the next one of its list, and a pool
// user of that registrar resolves the new address.
func TestReregisterAtAnotherRegistrar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r1, _, reg1 := w.registrar("registrar1", reg1Addr)
		r2, _, reg2 := w.registrar("registrar2", reg2Addr)
		ep, h := w.mobileEndpoint()
		e, err := NewElement(ep, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg1, reg2}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		if ev := elementEvent(t, e, ElementRegistered); ev.Registrar.Addrs[0] != reg1Addr {
			t.Fatalf("registered at %v", ev.Registrar)
		}
		r1.Close()
		move(t, h, ep, pe1Addr, peMovedAddr)
		if err := e.Reregister(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, ok := registered(r2, e.ID()); !ok {
			t.Fatal("not registered at the second registrar")
		}
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg2}})
		els, err := u.ResolveFresh(t.Context(), echoHandle)
		if err != nil || !slices.Equal(addrsOf(els), []netip.Addr{peMovedAddr}) {
			t.Errorf("resolved %v, %v; want %v", addrsOf(els), err, peMovedAddr)
		}
	})
}
