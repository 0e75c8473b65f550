package asap

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// peeredRegistrar starts registrar id on a host of its own, peering over
// ENRP with the registrars at peers, with keep-alives every second.
func (w *world) peeredRegistrar(id wire.ServerID, addr netip.Addr, peers ...netip.Addr) (*registrar.Registrar, stack.Remote) {
	h, cfg := w.host(fmt.Sprintf("registrar-%d", id), addr, wire.PortASAP)
	rc := registrar.Config{ServerID: id, Endpoint: cfg, KeepAliveInterval: time.Second, KeepAliveTimeout: time.Second, ElementKeys: w.keys, UserKeys: w.userKeys}
	rc.ENRP.Port = registrar.DefaultENRPPort
	rc.ENRP.PacketConn = func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(int(registrar.DefaultENRPPort), hd) }
	for _, p := range peers {
		rc.ENRP.Peers = append(rc.ENRP.Peers, stack.Remote{Addrs: []netip.Addr{p}, Port: registrar.DefaultENRPPort})
	}
	r, err := registrar.Listen(rc)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { r.Close() })
	return r, stack.Remote{Addrs: []netip.Addr{addr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
}

// kill makes the host at addr silent, as after SIGKILL.
func (w *world) kill(addr netip.Addr) {
	w.n.AddFilter(func(src, dst netip.AddrPort, _ []byte) simnet.Verdict {
		if src.Addr() == addr || dst.Addr() == addr {
			return simnet.Drop
		}
		return simnet.Pass
	})
}

// tableSize returns the number of elements in r's handlespace, and how
// many of them r is home for.
func tableSize(r *registrar.Registrar) (all, own int) {
	for _, p := range r.Table().Pools {
		for _, e := range p.Elements {
			all++
			if e.HomeServer == r.ServerID() {
				own++
			}
		}
	}
	return all, own
}

// Three registrars peer over ENRP, and real pool elements register at each
// (with the stack's default timers: they would notice their registrar's
// death only at their next re-registration, 30 s on). One registrar dies.
// The survivor that takes its elements over sends each a Keep-Alive with
// the Home flag; each element answers, re-registers there and keeps that
// registrar as its home. No element is removed anywhere at any time, the
// new home answers their keep-alives from then on, and a pool user whose
// first registrar is the dead one keeps getting answers.
func TestElementsFollowTakeover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		addrs := []netip.Addr{netip.MustParseAddr("192.0.2.101"), netip.MustParseAddr("192.0.2.102"), netip.MustParseAddr("192.0.2.103")}
		r1, reg1 := w.peeredRegistrar(1, addrs[0])
		r2, reg2 := w.peeredRegistrar(2, addrs[1], addrs[0])
		r3, reg3 := w.peeredRegistrar(3, addrs[2], addrs[0], addrs[1])
		regs := []stack.Remote{reg1, reg2, reg3}
		const per, all = 3, 9
		var elems []*Element
		for i := range all {
			home := i / per
			list := append(append([]stack.Remote{}, regs[home:]...), regs[:home]...) // home first
			addr := netip.AddrFrom4([4]byte{10, 1, 0, byte(i + 1)})
			h := w.n.AddHost(fmt.Sprintf("pe-%d", i), addr)
			ep := w.endpoint(stack.Config{LocalAddrs: []netip.Addr{addr}, Port: 7000, NoDelay: true,
				PacketConn: func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(7000, hd) }})
			e, err := NewElement(ep, ElementConfig{Handle: echoHandle, Registrars: list, ID: wire.PEID(i + 1)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Close() })
			elementEvent(t, e, ElementRegistered)
			elems = append(elems, e)
		}
		for _, r := range []*registrar.Registrar{r1, r2, r3} {
			for n, _ := tableSize(r); n != all; n, _ = tableSize(r) {
				time.Sleep(100 * time.Millisecond) // virtual: the Handle Updates spread
			}
		}

		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg3, reg1, reg2}, CacheTTL: -1})
		answered := 0
		ask := func() {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if got, err := u.Resolve(ctx, echoHandle); err != nil || len(got) == 0 {
				t.Errorf("resolution at %v: %d elements, %v", time.Now(), len(got), err)
			}
			answered++
		}
		ask()

		w.kill(addrs[2])
		killed := time.Now()
		for time.Since(killed) < 25*time.Second {
			ask()
			for _, r := range []*registrar.Registrar{r1, r2} {
				if n, _ := tableSize(r); n != all {
					t.Fatalf("registrar %d holds %d elements %v after the kill, want %d", r.ServerID(), n, time.Since(killed), all)
				}
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Logf("%d resolutions answered in the 25 s after the kill", answered)
		// Whichever survivor started the takeover first wins it (the lower
		// server ID only breaks a tie): every element must follow that one.
		var winner *registrar.Registrar
		for _, e := range elems[2*per:] {
			ev := elementEvent(t, e, ElementHomeChanged)
			var r *registrar.Registrar
			switch ev.Registrar.Addrs[0] {
			case addrs[0]:
				r = r1
			case addrs[1]:
				r = r2
			default:
				t.Fatalf("element %d: new home %v, not a survivor", e.ID(), ev.Registrar)
			}
			if winner != nil && r != winner {
				t.Errorf("element %d: new home %v, another survivor than the others'", e.ID(), ev.Registrar)
			}
			winner = r
		}
		if _, own := tableSize(winner); own != 2*per {
			t.Errorf("registrar %d is home for %d elements, want %d", winner.ServerID(), own, 2*per)
		}
		acks := winner.Stats().KeepAliveAcks
		time.Sleep(5 * time.Second) // virtual: more keep-alive cycles
		for _, r := range []*registrar.Registrar{r1, r2} {
			s := r.Stats()
			if s.Removals != (registrar.Removals{}) || s.Elements != all {
				t.Errorf("registrar %d: %d elements, removals %+v", r.ServerID(), s.Elements, s.Removals)
			}
		}
		if got := winner.Stats().KeepAliveAcks - acks; got < 2*per*3 {
			t.Errorf("registrar %d got %d keep-alive acks in 5 s from its %d elements", winner.ServerID(), got, 2*per)
		}
	})
}

// TestElementHuntUsesRegistrarsAssociation: when a registrar of the
// element's list has opened an association to the element (as a new home
// does), the element's hunt registers over it: Dial refuses a second
// association, which the registrar would take for a restart of its own.
func TestElementHuntUsesRegistrarsAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, rcfg := w.host("registrar", reg1Addr, wire.PortASAP)
		rep := w.endpoint(rcfg) // not listening: the element's first hunt fails
		reg := stack.Remote{Addrs: []netip.Addr{reg1Addr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}})
		elementEvent(t, e, ElementRegistrationFailed)

		a, err := rep.Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{pe1Addr}, Port: 7000, UDPPort: 7000})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		n, _, err := a.RecvMsg(ctx, buf)
		if err != nil {
			t.Fatalf("no registration over the registrar's association: %v", err)
		}
		m, err := wire.ParseASAP(buf[:n])
		var req wire.Registration
		if err != nil || m.Type() != wire.ASAPRegistration || m.Decode(&req) != nil {
			t.Fatalf("got %v (%v), want a Registration", m.Type(), err)
		}
		resp := wire.RegistrationResponse{Handle: req.Handle, PEID: req.Element.ID}
		if err := a.SendMsg(t.Context(), wire.AppendASAP(nil, &resp), stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
			t.Fatal(err)
		}
		if ev := elementEvent(t, e, ElementRegistered); !sameRegistrar(ev.Registrar, reg) {
			t.Errorf("registered at %v, want %v", ev.Registrar, reg)
		}
		select {
		case <-a.Done():
			t.Errorf("the registrar's association ended: %v", a.Err())
		default:
		}
	})
}
