package registrar

import (
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// newLoopback starts a registrar on 127.0.0.1 with an ephemeral UDP port.
func newLoopback(t testing.TB, cfg Config) *Registrar {
	t.Helper()
	r, err := Listen(onLoopback(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// onLoopback returns cfg on 127.0.0.1 with an ephemeral UDP port.
func onLoopback(cfg Config) Config {
	cfg.Endpoint.LocalAddrs = []netip.Addr{loopback}
	cfg.Endpoint.EphemeralUDPPort = true
	return cfg
}

// clientPorts numbers the SCTP ports of loopback clients. Over UDP, two
// endpoints on one address with the same SCTP port are one SCTP endpoint
// to the registrar (RFC 6951 identifies associations without the UDP
// port), so clients must not pick theirs at random: among 32, two would
// share one in 3% of the runs.
var clientPorts atomic.Uint32

// loopbackEndpoint opens a client endpoint on 127.0.0.1.
func loopbackEndpoint(t testing.TB) *stack.Endpoint {
	t.Helper()
	port := uint16(20000 + clientPorts.Add(1)%20000)
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: []netip.Addr{loopback}, Port: port, NoDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

// TestLoopback runs a registrar, a pool element, a pool user and hsdump's
// fetch over real UDP sockets on loopback.
func TestLoopback(t *testing.T) {
	r := newLoopback(t, Config{})
	pe := dialRegistrar(t, loopbackEndpoint(t), r)
	pu := dialRegistrar(t, loopbackEndpoint(t), r)
	pe.mustRegister("echo", element(1, roundRobin, loopback))
	pe.mustRegister("echo", element(2, roundRobin, loopback))
	if res := pu.resolve("echo", wire.AllItems); len(res.Elements) != 2 {
		t.Errorf("resolution: %+v", res)
	}

	tab, err := FetchTable(t.Context(), loopbackEndpoint(t), remoteOf(r))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Server != r.ServerID() || tab.Elements() != 2 || tab.Pools[0].Handle != "echo" || tab.Pools[0].Policy != wire.PolicyRoundRobin {
		t.Errorf("fetched table %+v", tab)
	}

	big := make([]byte, maxMessage+100) // longer than any ASAP message
	big[0] = byte(wire.ASAPHandleResolution)
	pu.sendRaw(wire.PPIDASAP, big)
	if e := expect[wire.ASAPErrorMessage](pu); !slices.Equal(causeCodes(e.Error.Causes), []wire.CauseCode{wire.CauseUnspecified}) {
		t.Errorf("answer to an oversized message: %+v", e)
	}
	if res := pu.resolve("echo", 1); len(res.Elements) != 1 {
		t.Errorf("resolution after the oversized message: %+v", res)
	}
}

// TestAnnounce has a registrar announce itself to a unicast UDP socket.
func TestAnnounce(t *testing.T) {
	sock, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	r := newLoopback(t, Config{Announce: sock.LocalAddr().(*net.UDPAddr).AddrPort(), AnnounceInterval: 10 * time.Millisecond})
	sock.SetReadDeadline(time.Now().Add(time.Minute)) // a guard against hanging, not a timing assertion
	buf := make([]byte, 2048)
	for range 2 {
		n, err := sock.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		var sa wire.ServerAnnounce
		m, err := wire.ParseASAP(buf[:n])
		if err == nil {
			err = m.Decode(&sa)
		}
		if err != nil {
			t.Fatal(err)
		}
		if sa.ServerID != r.ServerID() || len(sa.Transports) != 1 || sa.Transports[0].Port != DefaultPort ||
			!slices.Equal(sa.Transports[0].Addrs, []netip.Addr{loopback}) {
			t.Errorf("announce %+v", sa)
		}
	}
	if s := r.Stats(); s.Announces < 1 { // the second may be counted just after it arrived
		t.Errorf("%d announces counted", s.Announces)
	}
}
