package fuzz

import (
	"context"
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	rswire "github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// The world: a server and a client with one association between them, an
// attacker host with an address of its own, and a host whose address only
// the attacker uses. The attacker can also send from the client's and the
// server's addresses (on another UDP port, as from behind their NAT) but
// never sees what goes there: it is off the path.
var (
	srvAddr   = netip.MustParseAddr("192.0.2.1")
	cliAddr   = netip.MustParseAddr("192.0.2.2")
	atkAddr   = netip.MustParseAddr("198.51.100.66")
	spoofAddr = netip.MustParseAddr("192.0.2.77")
)

const (
	srvPort  = 5000 // SCTP ports; the UDP ports are stack.DefaultUDPPort
	cliPort  = 6000
	atkPort  = 7777
	sidePort = 40000 // UDP port of the attacker's sockets on the peers' hosts
	maxOps   = 256
	// maxSleep bounds the virtual time a script lets pass: long enough
	// for cookies to go stale, retransmissions to give up and keep-alives
	// to run; longer only makes executions slow.
	maxSleep = 3 * time.Minute
)

// FuzzBlindAttacker runs an attack script against a live association and
// checks the invariant of the package documentation.
func FuzzBlindAttacker(f *testing.F) {
	for _, s := range seedScripts() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		synctest.Test(t, func(t *testing.T) { runBlind(t, script, false) })
	})
}

// FuzzBlindRegistrar is FuzzBlindAttacker against a registrar with one
// pool element registered: no registration may be created, changed or
// removed without the association that made it, and the element keeps
// its registration; the attacker's DATA carries ASAP Registrations and
// Deregistrations.
func FuzzBlindRegistrar(f *testing.F) {
	for _, s := range seedScripts() {
		f.Add(s)
	}
	for _, s := range registrarSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		synctest.Test(t, func(t *testing.T) { runBlind(t, script, true) })
	})
}

// world is one run: the network, both endpoints, the association and
// what the attacker knows. Against a registrar, srv and sa are nil and
// the client is a pool element registered there.
type world struct {
	t        *testing.T
	net      *simnet.Network
	srv, cli *stack.Endpoint
	sa, ca   *stack.Association
	reg      *registrar.Registrar
	pe       *asap.Element

	own   *simnet.Conn         // the attacker's socket on its own address: it sees the answers
	sides map[int]*simnet.Conn // its blind sockets, by source choice
	dsts  [2]netip.AddrPort    // the server, the client (UDP)
	ports [2]uint16            // their SCTP ports
	slept time.Duration        // virtual time the script let pass

	mu       sync.Mutex
	sniffed  []uint32        // tags seen on the wire between client and server
	realEcho []byte          // the client's COOKIE ECHO chunk, sniffed
	cookies  [][]byte        // COOKIE ECHO chunks for the attacker's own INIT ACKs
	ownTags  []uint32        // the tags of those INIT ACKs
	ownInits map[uint16]bool // SCTP ports the attacker sent INITs from, from its own address
}

// endpoint opens an endpoint on h with SCTP port port and UDP port udp.
func endpoint(t *testing.T, h *simnet.Host, port uint16, udp int, listen bool) *stack.Endpoint {
	t.Helper()
	cfg := stack.Config{
		Port:       port,
		LocalAddrs: h.Addrs(),
		PacketConn: func(handler encap.Handler) (stack.PacketConn, error) {
			return h.Open(udp, handler)
		},
	}
	ep, err := stack.NewEndpoint(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if listen {
		ep.Listen()
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

func newWorld(t *testing.T, withRegistrar bool) *world {
	n := simnet.New(1)
	t.Cleanup(n.Close)
	w := &world{t: t, net: n, sides: map[int]*simnet.Conn{}, ownInits: map[uint16]bool{}}
	srvHost, cliHost := n.AddHost("server", srvAddr), n.AddHost("client", cliAddr)
	cliUDP := stack.DefaultUDPPort
	if withRegistrar {
		w.reg = startRegistrar(t, srvHost)
		cliUDP = cliPort // a pool element's UDP port is its SCTP port
	} else {
		w.srv = endpoint(t, srvHost, srvPort, stack.DefaultUDPPort, true)
	}
	w.cli = endpoint(t, cliHost, cliPort, cliUDP, false)
	w.dsts = [2]netip.AddrPort{netip.AddrPortFrom(srvAddr, stack.DefaultUDPPort), netip.AddrPortFrom(cliAddr, uint16(cliUDP))}
	w.ports = [2]uint16{srvPort, cliPort}
	n.OnPacket(w.sniff)

	blind := func([]encap.Datagram) {}
	open := func(h *simnet.Host, port int, handler encap.Handler) *simnet.Conn {
		c, err := h.Open(port, handler)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.own = open(n.AddHost("attacker", atkAddr), stack.DefaultUDPPort, w.answer)
	w.sides[0] = w.own
	w.sides[1] = open(n.AddHost("spoofed", spoofAddr), stack.DefaultUDPPort, blind)
	w.sides[2] = open(cliHost, sidePort, blind)
	w.sides[3] = open(srvHost, sidePort, blind)

	if withRegistrar {
		w.pe = registerVictim(t, w.cli)
		return w
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	accepted := make(chan *stack.Association, 1)
	go func() {
		a, _ := w.srv.Accept(ctx)
		accepted <- a
	}()
	ca, err := w.cli.Dial(ctx, stack.Remote{Addrs: []netip.Addr{srvAddr}, Port: srvPort, UDPPort: stack.DefaultUDPPort})
	if err != nil {
		t.Fatal(err)
	}
	w.ca, w.sa = ca, <-accepted
	if w.sa == nil {
		t.Fatal("no association accepted")
	}
	return w
}

// sniff records the tags and the COOKIE ECHO that client and server
// exchange: what an eavesdropper on their path learns.
func (w *world) sniff(_ time.Time, src, dst netip.AddrPort, data []byte, _ simnet.Fate) {
	both := []netip.Addr{srvAddr, cliAddr}
	if !slices.Contains(both, src.Addr()) || !slices.Contains(both, dst.Addr()) || src.Port() == sidePort {
		return
	}
	pkt, err := wire.ParsePacket(data)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if tag := pkt.VerificationTag(); tag != 0 && !slices.Contains(w.sniffed, tag) {
		w.sniffed = append(w.sniffed, tag)
	}
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type() == wire.TypeCookieEcho && w.realEcho == nil {
			w.realEcho = slices.Clone([]byte(c))
		}
		if c.Type() == wire.TypeInitAck || c.Type() == wire.TypeInit {
			var init wire.Init
			if init.Decode(c) == nil && !slices.Contains(w.sniffed, init.InitiateTag) {
				w.sniffed = append(w.sniffed, init.InitiateTag)
			}
		}
	}
}

// answer is the attacker's own socket: it keeps the cookies of the INIT
// ACKs it gets.
func (w *world) answer(batch []encap.Datagram) {
	for _, d := range batch {
		pkt, err := wire.ParsePacket(d.Data)
		if err != nil {
			continue
		}
		it := pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			var ack wire.InitAck
			if c.Type() != wire.TypeInitAck || ack.Decode(c) != nil {
				continue
			}
			p, ok := ack.Params.Find(wire.ParamStateCookie)
			if !ok {
				continue
			}
			w.mu.Lock()
			w.cookies = append(w.cookies, (&wire.CookieEcho{Cookie: slices.Clone(p.Value())}).Append(nil))
			w.ownTags = append(w.ownTags, ack.InitiateTag)
			w.mu.Unlock()
		}
	}
}

// script reads an attack script.
type script struct{ b []byte }

func (s *script) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return v
}

func (s *script) u32() uint32 {
	var b [4]byte
	for i := range b {
		b[i] = s.byte()
	}
	return binary.BigEndian.Uint32(b[:])
}

func (s *script) bytes(n int) []byte {
	n = min(n, len(s.b))
	v := s.b[:n]
	s.b = s.b[n:]
	return v
}

// runBlind runs one script and checks the invariant.
func runBlind(t *testing.T, raw []byte, withRegistrar bool) {
	w := newWorld(t, withRegistrar)
	s := &script{b: raw}
	for op := 0; op < maxOps && len(s.b) > 0; op++ {
		w.step(s)
	}
	time.Sleep(time.Second) // let the answers settle
	w.check()
}

// step performs one attacker action.
func (w *world) step(s *script) {
	kind := s.byte()
	if kind%8 == 7 {
		d := min(time.Duration(s.byte())*100*time.Millisecond, maxSleep-w.slept)
		w.slept += d
		time.Sleep(d)
		return
	}
	srcChoice := int(s.byte() % 4)
	target := int(s.byte() % 2) // 0: the server, 1: the client
	srcPort := [...]uint16{atkPort, cliPort, srvPort, 0}[s.byte()%4]
	if srcPort == 0 {
		srcPort = uint16(s.u32())
	}
	vtag := w.tag(s, srcChoice, target)
	var chunk []byte
	switch kind % 8 {
	case 0:
		chunk = w.init(s, srcChoice, srcPort)
		vtag = 0
	case 1:
		chunk = w.echo(s)
	case 2:
		chunk = (&wire.Abort{TagReflected: s.byte()&1 != 0}).Append(nil)
	case 3:
		chunk = [][]byte{
			(&wire.Shutdown{CumTSNAck: s.u32()}).Append(nil),
			(&wire.ShutdownAck{}).Append(nil),
			(&wire.ShutdownComplete{TagReflected: s.byte()&1 != 0}).Append(nil),
		}[s.byte()%3]
	case 4:
		tsn := s.u32()
		chunk = (&wire.Data{Flags: wire.FlagBegin | wire.FlagEnd, TSN: tsn, PPID: rswire.PPIDASAP, Payload: asapMessage(s.byte())}).Append(nil)
	case 5:
		chunk = (&wire.Heartbeat{Info: s.bytes(8)}).Append(nil)
	case 6:
		chunk = s.bytes(int(s.byte()))
	}
	w.send(srcChoice, target, srcPort, vtag, chunk)
}

// tag picks a verification tag: guessed from the script, sniffed, or of
// the attacker's own INIT ACKs. A sniffed tag is never sent from the real
// peer's own address: an attacker that can send from there with the right
// tag is on the path, which the invariant does not cover (RFC 9260
// section 11.2).
func (w *world) tag(s *script, srcChoice, target int) uint32 {
	choice := s.byte() % 3
	guess := s.u32()
	w.mu.Lock()
	defer w.mu.Unlock()
	fromPeer := (target == 0 && srcChoice == 2) || (target == 1 && srcChoice == 3)
	switch {
	case choice == 1 && len(w.sniffed) > 0 && !fromPeer:
		return w.sniffed[int(guess)%len(w.sniffed)]
	case choice == 2 && len(w.ownTags) > 0:
		return w.ownTags[int(guess)%len(w.ownTags)]
	}
	return guess
}

// init builds an INIT, which may list the peers' and the spoofed address.
func (w *world) init(s *script, srcChoice int, srcPort uint16) []byte {
	init := wire.Init{InitiateTag: s.u32() | 1, ARwnd: 1 << 16, OutStreams: 4, InStreams: 4, InitialTSN: s.u32()}
	list := s.byte()
	for i, addr := range []netip.Addr{srvAddr, cliAddr, spoofAddr, atkAddr} {
		if list&(1<<i) != 0 {
			init.Params = wire.AppendParam(init.Params, &wire.AddressParam{Addr: addr})
		}
	}
	if srcChoice == 0 {
		w.mu.Lock()
		w.ownInits[srcPort] = true
		w.mu.Unlock()
	}
	return init.Append(nil)
}

// echo picks a COOKIE ECHO to replay: the client's, sniffed, or one for the
// attacker's own INITs, possibly with a byte changed.
func (w *world) echo(s *script) []byte {
	choice, i, flip := s.byte(), int(s.byte()), s.byte()
	w.mu.Lock()
	defer w.mu.Unlock()
	var c []byte
	switch {
	case choice&1 == 0 && w.realEcho != nil:
		c = slices.Clone(w.realEcho)
	case len(w.cookies) > 0:
		c = slices.Clone(w.cookies[i%len(w.cookies)])
	default:
		return (&wire.CookieEcho{Cookie: []byte("no cookie yet")}).Append(nil)
	}
	if flip != 0 && len(c) > 4 {
		c[4+int(flip)%(len(c)-4)] ^= flip
	}
	return c
}

// send sends one packet from the chosen source.
func (w *world) send(srcChoice, target int, srcPort uint16, vtag uint32, chunk []byte) {
	b := wire.Header{SrcPort: srcPort, DstPort: w.ports[target], VerificationTag: vtag}.Append(nil)
	b = append(b, chunk...)
	wire.SetChecksum(b)
	_ = w.sides[srcChoice].Send(encap.Datagram{Data: b, Remote: w.dsts[target]})
}

// check verifies the invariant.
func (w *world) check() {
	if w.reg != nil {
		w.checkRegistrar()
		return
	}
	t := w.t
	for _, a := range []*stack.Association{w.ca, w.sa} {
		select {
		case <-a.Done():
			t.Fatalf("the real association ended: %v", a.Err())
		default:
		}
		if st := a.Stats(); st.State != "ESTABLISHED" || st.Restarts != 0 {
			t.Fatalf("the real association is %s after %d restarts", st.State, st.Restarts)
		}
	}
	exchange(t, w.ca, w.sa, "from the client")
	exchange(t, w.sa, w.ca, "from the server")
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		a, err := w.srv.Accept(ctx)
		cancel()
		if err != nil {
			return
		}
		if !w.attackers(a) {
			t.Fatalf("association with %v (SCTP port %d) created without its peer", a.Paths(), a.PeerPort())
		}
	}
}

// attackers reports whether a is the attacker's own association: set up
// from an INIT it sent from its own address and SCTP port.
func (w *world) attackers(a *stack.Association) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.ownInits[a.PeerPort()] {
		return false
	}
	for _, p := range a.Paths() {
		if p.Remote.Addr() == atkAddr {
			return true
		}
	}
	return false
}

// exchange checks that a message from one end reaches the other.
func exchange(t *testing.T, from, to *stack.Association, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := from.SendMsg(ctx, []byte(msg), stack.SendInfo{}); err != nil {
		t.Fatalf("send %s: %v", msg, err)
	}
	buf := make([]byte, 64)
	n, _, err := to.RecvMsg(ctx, buf)
	if err != nil || string(buf[:n]) != msg {
		t.Fatalf("receive %s: %q, %v", msg, buf[:n], err)
	}
}
