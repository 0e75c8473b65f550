package asap

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// world is a simulated network with registrars, pool elements and pool
// users, each on a host of its own. Build it inside a synctest bubble.
type world struct {
	t *testing.T
	n *simnet.Network
	// keys and userKeys, if set, are the element and user keys of every
	// registrar started.
	keys     []registrar.ElementKey
	userKeys []registrar.UserKey
}

// oneWay is the delay of every simulated link.
const oneWay = 5 * time.Millisecond

func newWorld(t *testing.T) *world {
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay})
	return &world{t: t, n: n}
}

// host adds a host with address addr and returns the configuration of an
// endpoint on it whose SCTP and UDP ports are both port (0: ephemeral
// UDP port). The SCTP timers are short, so that a dead peer is noticed
// within a second or so.
func (w *world) host(name string, addr netip.Addr, port uint16) (*simnet.Host, stack.Config) {
	h, cfg := w.plainHost(name, addr, port)
	cfg.AssocMaxRetrans, cfg.PathMaxRetrans = 3, 3
	cfg.HeartbeatInterval = time.Second
	return h, cfg
}

// plainHost is host with the stack's default timers.
func (w *world) plainHost(name string, addr netip.Addr, port uint16) (*simnet.Host, stack.Config) {
	h := w.n.AddHost(name, addr)
	return h, simstack.Config(h, addr, port)
}

// endpoint opens an endpoint from cfg, closed at the end of the test.
func (w *world) endpoint(cfg stack.Config) *stack.Endpoint {
	ep, err := stack.NewEndpoint(cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { ep.Close() })
	return ep
}

// registrar starts a real registrar on a host of its own, with keep-alives
// every second.
func (w *world) registrar(name string, addr netip.Addr) (*registrar.Registrar, *simnet.Host, stack.Remote) {
	h, cfg := w.host(name, addr, wire.PortASAP)
	r, err := registrar.Listen(registrar.Config{Endpoint: cfg, KeepAliveInterval: time.Second, KeepAliveTimeout: time.Second, ElementKeys: w.keys, UserKeys: w.userKeys})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { r.Close() })
	return r, h, stack.Remote{Addrs: []netip.Addr{addr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
}

// element starts a pool element on a host of its own, closed at the end of
// the test.
func (w *world) element(name string, addr netip.Addr, cfg ElementConfig) (*Element, *simnet.Host) {
	h, ecfg := w.host(name, addr, 7000)
	ep := w.endpoint(ecfg)
	e, err := NewElement(ep, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { e.Close() })
	return e, h
}

// user starts a pool user on a host of its own.
func (w *world) user(name string, addr netip.Addr, cfg UserConfig) *User {
	_, ucfg := w.host(name, addr, 0)
	u, err := NewUser(w.endpoint(ucfg), cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { u.Close() })
	return u
}

// waitFor returns the first event of type want from ch, failing the test
// if none comes within a minute.
func waitFor[E any, T comparable](t *testing.T, ch <-chan E, want T, typ func(E) T) E {
	t.Helper()
	return simstack.Await(t, ch, time.Minute, fmt.Sprintf("%v event", want), func(e E) bool { return typ(e) == want })
}

func elementEvent(t *testing.T, e *Element, want ElementEventType) ElementEvent {
	t.Helper()
	return waitFor(t, e.Events(), want, func(ev ElementEvent) ElementEventType { return ev.Type })
}

func sessionEvent(t *testing.T, s *Session, want SessionEventType) SessionEvent {
	t.Helper()
	return waitFor(t, s.Events(), want, func(ev SessionEvent) SessionEventType { return ev.Type })
}

// echoService answers every data message with the same message and then a
// Cookie holding how many messages the session has echoed, so that the
// element taking over after a failover continues the count. Cookie Echoes
// it receives go to echoes. If card is set, it starts every session with
// that Business Card.
type echoService struct {
	echoes chan string
	card   atomic.Pointer[wire.BusinessCard]
}

func serveEcho(ctx context.Context, e *Element) *echoService {
	s := &echoService{echoes: make(chan string, 16)}
	go func() {
		for {
			c, err := e.Accept(ctx)
			if err != nil {
				return
			}
			go s.serve(ctx, c)
		}
	}()
	return s
}

func (s *echoService) serve(ctx context.Context, c *UserConn) {
	if card := s.card.Load(); card != nil {
		c.SendBusinessCard(ctx, *card)
	}
	count := 0
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			return
		}
		switch m.Type {
		case MessageCookieEcho:
			count, _ = strconv.Atoi(strings.TrimPrefix(string(m.Data), "echoed="))
			s.echoes <- string(m.Data)
		case MessageData:
			if c.Send(ctx, m.Data, stack.SendInfo{Stream: m.Stream, PPID: m.PPID}) != nil {
				return
			}
			count++
			c.SendCookie(ctx, fmt.Appendf(nil, "echoed=%d", count))
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
