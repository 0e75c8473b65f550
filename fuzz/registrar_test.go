package fuzz

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	rswire "github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The pool element under attack.
const (
	victimPool = "Victim"
	victimID   = rswire.PEID(0x7e57)
	attackPool = "Attack"
)

// startRegistrar runs a registrar on h at SCTP port srvPort.
func startRegistrar(t *testing.T, h *simnet.Host) *registrar.Registrar {
	t.Helper()
	r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{
		Port:       srvPort,
		LocalAddrs: h.Addrs(),
		PacketConn: func(handler encap.Handler) (stack.PacketConn, error) {
			return h.Open(stack.DefaultUDPPort, handler)
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// registerVictim makes ep the pool element victimID of victimPool and
// waits for its registration.
func registerVictim(t *testing.T, ep *stack.Endpoint) *asap.Element {
	t.Helper()
	pe, err := asap.NewElement(ep, asap.ElementConfig{
		Handle:     rswire.PoolHandle(victimPool),
		ID:         victimID,
		Registrars: []stack.Remote{{Addrs: []netip.Addr{srvAddr}, Port: srvPort, UDPPort: stack.DefaultUDPPort}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pe.Close() })
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		select {
		case e := <-pe.Events():
			if e.Type == asap.ElementRegistered {
				return pe
			}
		case <-timer.C:
			t.Fatal("the pool element did not register")
		}
	}
}

// asapMessage is the ASAP message of a DATA chunk the attacker sends:
// the victim's registration moved to the spoofed address, its
// deregistration, or a registration of an element of its own at its own
// address.
func asapMessage(choice byte) []byte {
	moved := rswire.Transport{Type: rswire.ParamSCTPTransport, Port: cliPort, Addrs: []netip.Addr{spoofAddr}}
	switch choice % 3 {
	case 0:
		return rswire.AppendASAP(nil, &rswire.Registration{Handle: rswire.PoolHandle(victimPool), Element: rswire.PoolElement{ID: victimID, RegLife: 90000, UserTransport: moved, Policy: rswire.Policy{Type: rswire.PolicyRoundRobin}}})
	case 1:
		return rswire.AppendASAP(nil, &rswire.Deregistration{Handle: rswire.PoolHandle(victimPool), PEID: victimID})
	}
	own := rswire.Transport{Type: rswire.ParamSCTPTransport, Port: atkPort, Addrs: []netip.Addr{atkAddr}}
	return rswire.AppendASAP(nil, &rswire.Registration{Handle: rswire.PoolHandle(attackPool), Element: rswire.PoolElement{ID: victimID + 1, RegLife: 90000, UserTransport: own, Policy: rswire.Policy{Type: rswire.PolicyRoundRobin}}})
}

// checkRegistrar verifies the invariant against the registrar: the
// victim's element is there as it registered, from its own association;
// every other element was registered over an association of the
// attacker's own.
func (w *world) checkRegistrar() {
	t := w.t
	drainElementEvents(t, w.pe)
	victim := 0
	for _, p := range w.reg.Table().Pools {
		for _, e := range p.Elements {
			asapAddrs := e.ASAPTransport.Addrs
			switch {
			case p.Handle == victimPool && e.ID == victimID:
				victim++
				if !slices.Equal(e.UserTransport.Addrs, []netip.Addr{cliAddr}) || !slices.Contains(asapAddrs, cliAddr) || e.ASAPTransport.Port != cliPort {
					t.Fatalf("the victim's element was changed: user transport %v, ASAP transport %v port %d", e.UserTransport.Addrs, asapAddrs, e.ASAPTransport.Port)
				}
			case !w.ownAssociation(asapAddrs, e.ASAPTransport.Port):
				t.Fatalf("element %s/%d registered over %v port %d, not by its peer", p.Handle, e.ID, asapAddrs, e.ASAPTransport.Port)
			}
		}
	}
	if victim != 1 {
		t.Fatalf("the victim's element is gone (%d found)", victim)
	}
}

// ownAssociation reports whether an ASAP association with the addresses
// and port given is the attacker's own.
func (w *world) ownAssociation(addrs []netip.Addr, port uint16) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ownInits[port] && slices.Contains(addrs, atkAddr)
}

// drainElementEvents fails if the element lost its registrar or its
// registration.
func drainElementEvents(t *testing.T, pe *asap.Element) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	for {
		select {
		case e := <-pe.Events():
			if e.Type == asap.ElementRegistrarLost || e.Type == asap.ElementRegistrationFailed {
				t.Fatalf("pool element: %v %v", e.Type, e.Err)
			}
		case <-ctx.Done():
			return
		}
	}
}
