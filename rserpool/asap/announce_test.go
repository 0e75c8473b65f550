package asap

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// These tests run on the host's loopback rather than in the simulated
// network: announces go by plain UDP sockets, which it does not carry.

var loopback4 = netip.MustParseAddr("127.0.0.1")

// listenAnnounces starts a listener, closed at the end of the test.
func listenAnnounces(t *testing.T, cfg AnnounceConfig) *Announces {
	t.Helper()
	a, err := ListenAnnounces(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// udpSocket opens a UDP socket on loopback, closed at the end of the test.
func udpSocket(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback4, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c *net.UDPConn, to netip.AddrPort, b []byte) {
	t.Helper()
	if _, err := c.WriteToUDPAddrPort(b, to); err != nil {
		t.Fatal(err)
	}
}

// announce returns a Server Announce of registrar id at addr.
func announce(id wire.ServerID, addr netip.AddrPort) []byte {
	t := wire.Transport{Type: wire.ParamSCTPTransport, Port: addr.Port(), Addrs: []netip.Addr{addr.Addr()}}
	return wire.AppendASAP(nil, &wire.ServerAnnounce{ServerID: id, Transports: []wire.Transport{t}})
}

// waitUntil polls cond until it holds, failing the test after a minute: a
// guard against hanging, not a timing requirement.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute", what)
		}
	}
}

// forward sends every datagram that arrives at c on to dst, until c is
// closed.
func forward(c *net.UDPConn, dst netip.AddrPort) {
	buf := make([]byte, 1<<16)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		c.WriteToUDPAddrPort(buf[:n], dst)
	}
}

// TestElementAndUserFindRegistrarByAnnounces has a real registrar announce
// itself every 10 ms. An element and a user that know registrars only from
// those announces register and resolve; before the first announce arrives
// the element's registration fails and is tried again.
func TestElementAndUserFindRegistrarByAnnounces(t *testing.T) {
	// The registrar's announce address is fixed when it starts, and the
	// listener needs the registrar's UDP port when it starts: a relay
	// socket breaks the tie without guessing a free port, and holds the
	// announces back until the element has failed once.
	relay := udpSocket(t)
	r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: []netip.Addr{loopback4}, EphemeralUDPPort: true},
		Announce: relay.LocalAddr().(*net.UDPAddr).AddrPort(), AnnounceInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ann := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(loopback4, 0), UDPPort: r.UDPPort()})

	ep, err := ElementEndpoint(stack.Config{LocalAddrs: []netip.Addr{loopback4}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	e, err := NewElement(ep, ElementConfig{Handle: echoHandle, Announces: ann})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if ev := elementEvent(t, e, ElementRegistrationFailed); !errors.Is(ev.Err, ErrNoRegistrar) {
		t.Errorf("before any announce: %v, want ErrNoRegistrar", ev.Err)
	}

	go forward(relay, ann.Addr())
	ev := elementEvent(t, e, ElementRegistered)
	want := stack.Remote{Addrs: []netip.Addr{loopback4}, Port: r.Port(), UDPPort: r.UDPPort()}
	if !slices.Equal(ev.Registrar.Addrs, want.Addrs) || ev.Registrar.Port != want.Port || ev.Registrar.UDPPort != want.UDPPort {
		t.Errorf("registered at %+v, want %+v", ev.Registrar, want)
	}
	if _, ok := registered(r, e.ID()); !ok {
		t.Errorf("element $%08x not in the registrar's table %+v", uint32(e.ID()), r.Table())
	}

	uep, err := stack.NewEndpoint(stack.Config{LocalAddrs: []netip.Addr{loopback4}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uep.Close() })
	u, err := NewUser(uep, UserConfig{Announces: ann})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	els, err := u.Resolve(t.Context(), echoHandle)
	if err != nil || len(els) != 1 || els[0].ID != e.ID() {
		t.Errorf("resolved %+v, %v; want element $%08x", els, err, uint32(e.ID()))
	}
}

// TestResolveWithNoRegistrarHeard: a user whose listener has heard nothing
// fails at once with ErrNoRegistrar, which a session retries on.
func TestResolveWithNoRegistrarHeard(t *testing.T) {
	ann := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(loopback4, 0)})
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: []netip.Addr{loopback4}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	u, err := NewUser(ep, UserConfig{Announces: ann})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a guard against hanging
	defer cancel()
	if _, err := u.Resolve(ctx, echoHandle); !errors.Is(err, ErrNoRegistrar) || ctx.Err() != nil {
		t.Errorf("error %v, want ErrNoRegistrar before the context ends", err)
	}
}

// TestAnnouncedRegistrarExpires: a registrar that falls silent is
// forgotten after the timeout.
func TestAnnouncedRegistrarExpires(t *testing.T) {
	a := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(loopback4, 0), Timeout: 200 * time.Millisecond, UDPPort: 5000})
	c := udpSocket(t)
	reg := netip.MustParseAddrPort("127.0.0.2:3863")
	var heard []stack.Remote
	// Announce until the registrar is seen: a single announce could
	// expire unseen if this goroutine were held up for the timeout.
	waitUntil(t, "registrar heard", func() bool {
		if heard = a.Registrars(); len(heard) == 0 {
			send(t, c, a.Addr(), announce(7, reg))
		}
		return len(heard) > 0
	})
	if len(heard) != 1 || !slices.Equal(heard[0].Addrs, []netip.Addr{reg.Addr()}) || heard[0].Port != reg.Port() || heard[0].UDPPort != 5000 {
		t.Errorf("heard %+v, want %v with UDP port 5000", heard, reg)
	}
	waitUntil(t, "expiry", func() bool { return len(a.Registrars()) == 0 })
}

// TestAnnouncesDropMalformed sends datagrams that are no usable Server
// Announce among two that are: the bad ones are counted, the good ones
// kept.
func TestAnnouncesDropMalformed(t *testing.T) {
	a := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(loopback4, 0), Timeout: time.Hour})
	c := udpSocket(t)
	good := netip.MustParseAddrPort("127.0.0.2:4000")
	tcpOnly := wire.ServerAnnounce{ServerID: 3, Transports: []wire.Transport{{Type: wire.ParamTCPTransport, Port: 80, Addrs: []netip.Addr{loopback4}}}}
	datagrams := [][]byte{
		[]byte("hello, registrars"),
		{},
		announce(1, good)[:6],                    // cut short: the length field says more
		{byte(wire.ASAPServerAnnounce), 0, 0, 4}, // no server identifier
		wire.AppendASAP(nil, &wire.EndpointUnreachable{Handle: echoHandle, PEID: 1}),
		wire.AppendASAP(nil, &tcpOnly),
		announce(1, good),
		wire.AppendASAP(nil, &wire.ServerAnnounce{ServerID: 2}), // no transport: the source and the ASAP port
	}
	for _, b := range datagrams {
		send(t, c, a.Addr(), b)
	}
	waitUntil(t, "count of every datagram", func() bool {
		s := a.Stats()
		return s.Announces+s.Malformed+s.Ignored == uint64(len(datagrams))
	})
	if s := a.Stats(); s != (AnnounceStats{Announces: 2, Malformed: 4, Ignored: 2}) {
		t.Errorf("stats %+v, want 2 announces, 4 malformed, 2 ignored", s)
	}
	got := a.Registrars()
	slices.SortFunc(got, func(x, y stack.Remote) int { return x.Addrs[0].Compare(y.Addrs[0]) })
	want := []stack.Remote{
		{Addrs: []netip.Addr{loopback4}, Port: wire.PortASAP, UDPPort: stack.DefaultUDPPort},
		{Addrs: []netip.Addr{good.Addr()}, Port: good.Port(), UDPPort: stack.DefaultUDPPort},
	}
	if !slices.EqualFunc(got, want, func(x, y stack.Remote) bool {
		return slices.Equal(x.Addrs, y.Addrs) && x.Port == y.Port && x.UDPPort == y.UDPPort
	}) {
		t.Errorf("registrars %+v, want %+v", got, want)
	}
}

// TestRegistrarListOrder checks the order registrars are hunted in: the
// static list, then announced registrars in the order first heard, each
// registrar once.
func TestRegistrarListOrder(t *testing.T) {
	a := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(loopback4, 0), Timeout: time.Hour, UDPPort: 5000})
	c := udpSocket(t)
	regA, regB := netip.MustParseAddrPort("127.0.0.2:3863"), netip.MustParseAddrPort("127.0.0.3:3863")
	for i, b := range [][]byte{
		announce(1, regA),
		announce(2, regB),
		announce(1, regA), // heard again: keeps its place
		announce(3, regA), // restarted with a new identifier: listed once
	} {
		send(t, c, a.Addr(), b)
		waitUntil(t, "announce counted", func() bool { return a.Stats().Announces == uint64(i+1) })
	}
	heard := a.Registrars()
	if len(heard) != 2 || heard[0].Addrs[0] != regA.Addr() || heard[1].Addrs[0] != regB.Addr() {
		t.Fatalf("heard %+v, want %v then %v", heard, regA, regB)
	}

	// A static entry names registrar A by another address too.
	static := stack.Remote{Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1"), regA.Addr()}, Port: regA.Port(), UDPPort: 7}
	list := newRegistrarSet(nil, []stack.Remote{static}, a, time.Second, nil).list()
	if len(list) != 2 || list[0].UDPPort != 7 || list[1].Addrs[0] != regB.Addr() || list[1].UDPPort != 5000 {
		t.Errorf("hunt list %+v, want the static entry, then %v on UDP port 5000", list, regB)
	}
}

func TestListenAnnouncesChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  AnnounceConfig
		want string
	}{
		{AnnounceConfig{Timeout: -time.Second}, "Timeout"},
	} {
		if a, err := ListenAnnounces(tc.cfg); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %q", tc.cfg, err, tc.want)
			if err == nil {
				a.Close()
			}
		}
	}
}

// TestAnnouncesMulticastOnLoopback listens on the ASAP announce group and
// sends it an announce through the loopback interface. It is skipped
// where the group cannot be joined on loopback; the other tests use
// unicast, which needs no multicast route.
func TestAnnouncesMulticastOnLoopback(t *testing.T) {
	group := wire.ASAPAnnounceAddr.Addr()
	lo := loopbackInterface(t)
	c := udpSocket(t)
	p := ipv4.NewPacketConn(c)
	if err := p.JoinGroup(lo, &net.UDPAddr{IP: group.AsSlice()}); err != nil {
		t.Skipf("cannot join %v on %s (%v): multicast not testable here", group, lo.Name, err)
	}
	if err := p.SetMulticastInterface(lo); err != nil {
		t.Skipf("cannot send multicast through %s (%v): multicast not testable here", lo.Name, err)
	}
	p.LeaveGroup(lo, &net.UDPAddr{IP: group.AsSlice()})

	a := listenAnnounces(t, AnnounceConfig{Addr: netip.AddrPortFrom(group, 0), Timeout: time.Hour})
	if got := a.Addr(); got.Addr() != group || got.Port() == 0 {
		t.Errorf("listening on %v, want %v and the port picked", got, group)
	}
	reg := netip.MustParseAddrPort("127.0.0.2:3863")
	// Datagrams may be lost, on loopback too: announce until one arrives.
	waitUntil(t, "announce through the group", func() bool {
		send(t, c, a.Addr(), announce(5, reg))
		return len(a.Registrars()) > 0
	})
	if heard := a.Registrars(); len(heard) != 1 || heard[0].Addrs[0] != reg.Addr() {
		t.Errorf("heard %+v, want %v", heard, reg)
	}
}

// loopbackInterface returns the loopback interface, skipping the test if
// there is none.
func loopbackInterface(t *testing.T) *net.Interface {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 && ifs[i].Flags&net.FlagUp != 0 {
			return &ifs[i]
		}
	}
	t.Skip("no loopback interface that is up: multicast not testable here")
	return nil
}
