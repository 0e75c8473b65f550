package registrar

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Addresses of the simulated network (documentation ranges).
var (
	regAddr     = netip.MustParseAddr("192.0.2.10")
	peAddr      = netip.MustParseAddr("192.0.2.1")
	peAddr2     = netip.MustParseAddr("192.0.2.3")
	puAddr      = netip.MustParseAddr("192.0.2.2")
	foreignAddr = netip.MustParseAddr("198.51.100.7") // nobody's
	loopback    = netip.MustParseAddr("127.0.0.1")
)

var roundRobin = wire.Policy{Type: wire.PolicyRoundRobin}

// simEnv is a registrar on a simulated network, to be used inside a
// synctest bubble.
type simEnv struct {
	t testing.TB
	n *simnet.Network
	r *Registrar
}

// newSimEnv starts a registrar on host 192.0.2.10 of a new simulated
// network whose links have props.
func newSimEnv(t testing.TB, cfg Config, props simnet.LinkProps) *simEnv {
	t.Helper()
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(props)
	h := n.AddHost("registrar", regAddr)
	cfg.Endpoint.LocalAddrs = h.Addrs()
	cfg.Endpoint.PacketConn = simstack.PacketConn(h, stack.DefaultUDPPort)
	r, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &simEnv{t: t, n: n, r: r}
}

// host adds a host with addrs and opens an endpoint on it.
func (env *simEnv) host(name string, addrs ...netip.Addr) *stack.Endpoint {
	env.t.Helper()
	return env.hostConfig(name, stack.Config{}, addrs...)
}

// hostConfig is host with an endpoint configured by cfg.
func (env *simEnv) hostConfig(name string, cfg stack.Config, addrs ...netip.Addr) *stack.Endpoint {
	env.t.Helper()
	h := env.n.AddHost(name, addrs...)
	cfg.LocalAddrs, cfg.NoDelay = addrs, true
	cfg.PacketConn = simstack.PacketConn(h, stack.DefaultUDPPort)
	ep, err := stack.NewEndpoint(cfg)
	if err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() { ep.Close() })
	return ep
}

// dial opens an ASAP association from ep to the registrar.
func (env *simEnv) dial(ep *stack.Endpoint) *client {
	return dialRegistrar(env.t, ep, env.r)
}

// remoteOf returns where r listens.
func remoteOf(r *Registrar) stack.Remote {
	return stack.Remote{Addrs: r.LocalAddrs(), Port: r.Port(), UDPPort: r.UDPPort()}
}

// client is a minimal pool element or pool user: an association to the
// registrar and helpers to exchange ASAP messages.
type client struct {
	t   testing.TB
	a   *stack.Association
	buf []byte
}

func dialRegistrar(t testing.TB, ep *stack.Endpoint, r *Registrar) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := ep.Dial(ctx, remoteOf(r))
	if err != nil {
		t.Fatal("dial:", err)
	}
	return &client{t: t, a: a, buf: make([]byte, maxMessage+1)}
}

// send sends an ASAP message.
func (c *client) send(v wire.ASAPValue) { c.sendRaw(wire.PPIDASAP, wire.AppendASAP(nil, v)) }

// sendRaw sends b with payload protocol ppid.
func (c *client) sendRaw(ppid uint32, b []byte) {
	c.t.Helper()
	if err := c.a.SendMsg(context.Background(), b, stack.SendInfo{PPID: ppid}); err != nil {
		c.t.Fatal("send:", err)
	}
}

// recv returns the next message and its payload protocol.
func (c *client) recv() (uint32, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, info, err := c.a.RecvMsg(ctx, c.buf)
	if err != nil {
		return 0, nil, err
	}
	if !info.EOR {
		return 0, nil, errors.New("message larger than the buffer")
	}
	return info.PPID, append([]byte(nil), c.buf[:n]...), nil
}

// next returns the next ASAP message.
func (c *client) next() wire.ASAPMessage {
	c.t.Helper()
	ppid, b, err := c.recv()
	if err != nil {
		c.t.Fatal("receive:", err)
	}
	if ppid != wire.PPIDASAP {
		c.t.Fatalf("received PPID %d, want ASAP", ppid)
	}
	m, err := wire.ParseASAP(b)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// asapPtr is the pointer type of an ASAP message struct T.
type asapPtr[T any] interface {
	*T
	wire.ASAPValue
}

// expect decodes the next message, which must be a T.
func expect[T any, P asapPtr[T]](c *client) *T {
	c.t.Helper()
	m := c.next()
	var v T
	if err := m.Decode(P(&v)); err != nil {
		c.t.Fatalf("received %v, want %v: %v", m.Type(), P(&v).ASAPType(), err)
	}
	return &v
}

// element returns a pool element at port 7 of addrs with a 30 s life.
func element(id wire.PEID, pol wire.Policy, addrs ...netip.Addr) wire.PoolElement {
	return wire.PoolElement{
		ID:            id,
		RegLife:       30000,
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7, Addrs: addrs},
		Policy:        pol,
	}
}

// register registers e in pool handle and returns the response.
func (c *client) register(handle string, e wire.PoolElement) *wire.RegistrationResponse {
	c.t.Helper()
	c.send(&wire.Registration{Handle: wire.PoolHandle(handle), Element: e})
	return expect[wire.RegistrationResponse](c)
}

// mustRegister registers e and fails unless it was accepted.
func (c *client) mustRegister(handle string, e wire.PoolElement) {
	c.t.Helper()
	if r := c.register(handle, e); r.Reject || len(r.Error.Causes) > 0 {
		c.t.Fatalf("registration of %q/%d refused: %v", handle, e.ID, causeNames(r.Error.Causes))
	}
}

// resolve resolves handle, asking for items elements (0: no option).
func (c *client) resolve(handle string, items wire.ResolutionItems) *wire.HandleResolutionResponse {
	c.t.Helper()
	c.send(&wire.HandleResolution{Handle: wire.PoolHandle(handle), Items: items})
	return expect[wire.HandleResolutionResponse](c)
}

// answerKeepAlives acknowledges every Endpoint Keep-Alive until the
// association ends; it runs in its own goroutine and reports on acks the
// time of each Ack sent, as long as acks has room.
func (c *client) answerKeepAlives(acks chan<- time.Time) {
	for {
		ppid, b, err := c.recv()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, context.DeadlineExceeded) {
				c.t.Error("keep-alive loop:", err)
			}
			return
		}
		m, err := wire.ParseASAP(b)
		if ppid != wire.PPIDASAP || err != nil || m.Type() != wire.ASAPEndpointKeepAlive {
			c.t.Errorf("unexpected message %x", b)
			return
		}
		var ka wire.EndpointKeepAlive
		if err := m.Decode(&ka); err != nil {
			c.t.Error(err)
			return
		}
		ack := wire.AppendASAP(nil, &wire.EndpointKeepAliveAck{Handle: ka.Handle, PEID: ka.PEID})
		if err := c.a.SendMsg(context.Background(), ack, stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
			return
		}
		select {
		case acks <- time.Now():
		default:
		}
	}
}

// nextEvent returns the next registrar event of type typ, skipping others.
func nextEvent(t testing.TB, r *Registrar, typ EventType) Event {
	t.Helper()
	for ev := range r.Events() {
		if ev.Type == typ {
			return ev
		}
	}
	t.Fatalf("events closed before a %v event", typ)
	return Event{}
}

// causeCodes returns the codes of causes.
func causeCodes(causes []wire.Cause) []wire.CauseCode {
	codes := make([]wire.CauseCode, len(causes))
	for i, c := range causes {
		codes[i] = c.Code
	}
	return codes
}
