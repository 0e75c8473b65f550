package mobility

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// world is a simulated network with a registrar and mobile nodes. Build
// it inside a synctest bubble.
type world struct {
	t     testing.TB
	n     *simnet.Network
	reg   stack.Remote
	hosts map[string]*simnet.Host
	// handover configures the handovers of the nodes started next.
	handover ControllerConfig
	// resendBuffer is Config.ResendBuffer of the nodes started next,
	// by name (none: the default).
	resendBuffer map[string]int
}

const oneWay = 5 * time.Millisecond

var regAddr = netip.MustParseAddr("192.0.2.1")

func newWorld(t testing.TB) *world {
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay})
	w := &world{t: t, n: n, hosts: map[string]*simnet.Host{}}
	h := n.AddHost("registrar", regAddr)
	r, err := registrar.Listen(registrar.Config{Endpoint: simConfig(h, regAddr, wire.PortASAP)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	w.reg = stack.Remote{Addrs: []netip.Addr{regAddr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
	return w
}

// simConfig is an endpoint on host h with short SCTP timers and a short
// hold of deleted addresses.
func simConfig(h *simnet.Host, addr netip.Addr, port uint16) stack.Config {
	cfg := simstack.Config(h, addr, port)
	cfg.AddressHold = 50 * time.Millisecond
	return cfg
}

// node starts a mobile node on a host of its own.
func (w *world) node(name string, addr netip.Addr, port uint16, handle string) *Node {
	h := w.n.AddHost(name, addr)
	w.hosts[name] = h
	cfg := simConfig(h, addr, port)
	cfg.AddressWatcher = h.Watch()
	n, err := NewNode(Config{Handle: wire.PoolHandle(handle), Registrars: []stack.Remote{w.reg}, Endpoint: cfg,
		Handover: w.handover, ResendBuffer: w.resendBuffer[name]})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { n.Close() })
	return n
}

// waitEvent returns the first event of type want, failing the test if
// none comes within a minute of virtual time.
func waitEvent(t testing.TB, ch <-chan Event, want EventType) Event {
	t.Helper()
	return simstack.Await(t, ch, time.Minute, want.String()+" event", func(e Event) bool { return e.Type == want })
}
