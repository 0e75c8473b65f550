package registrar

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestENRPAnnounceDiscovery has two registrars that are not configured
// with each other find each other by the Presences they send by UDP (to
// each other's unicast listening address: loopback has no multicast
// route), peer, and share an element.
func TestENRPAnnounceDiscovery(t *testing.T) {
	ports := testenv.FreeUDPPorts(t, 4) // announcements to 1 and 2, ENRP of 1 and 2
	p1, p2 := ports[0], ports[1]
	at := func(p uint16) netip.AddrPort { return netip.AddrPortFrom(loopback, p) }
	cfg := func(id wire.ServerID, send, listen, enrp uint16) Config {
		return Config{ServerID: id, ENRP: ENRPConfig{Port: enrp, HeartbeatCycle: 200 * time.Millisecond,
			Announce: at(send), AnnounceListen: at(listen)}}
	}
	r1 := newLoopback(t, cfg(1, p2, p1, ports[2]))
	r2 := newLoopback(t, cfg(2, p1, p2, ports[3]))
	pe := dialRegistrar(t, loopbackEndpoint(t), r1)
	pe.mustRegister("echo", element(7, roundRobin, loopback))
	deadline := time.After(10 * time.Second)
	for found := false; !found; {
		select {
		case ev := <-r2.Events():
			found = ev.Type == EventRegistered && ev.ID == 7
		case <-deadline:
			t.Fatalf("registrar 2 did not learn the element; its ENRP counters: %+v", r2.ENRPStats())
		}
	}
	if ps := r2.Peers(); len(ps) != 1 || ps[0].ID != 1 {
		t.Errorf("peers of registrar 2: %+v", ps)
	}
	if e := ownerView(r2)["echo/7"]; e != 1 {
		t.Errorf("element 7 at registrar 2 owned by %d, want 1", e)
	}
}
