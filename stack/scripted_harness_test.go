package stack

// A scripted peer for state-machine tests: a fake SCTP endpoint on its own
// simulated host that sends hand-built packets to the endpoint under test
// and lets the test inspect, chunk by chunk, every packet that comes back.
// Everything runs inside a testing/synctest bubble, so waits are in virtual
// time and cost nothing.

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// The scripted world: the endpoint under test listens on addrA, port
// sutPort; the scripted peer lives on addrB, port peerPort. addrC belongs
// to nobody.
const (
	sutPort  = 5000
	peerPort = 7000

	peerTag = 0x7e570001 // the scripted peer's first verification tag
	peerTSN = 1000       // and its first TSN

	peerStreams = 4       // streams the peer asks for, each way
	peerRwnd    = 1 << 20 // the window the peer advertises

	// waitLimit bounds every wait for something the test expects; it is
	// virtual time, so it may be generous.
	waitLimit = 30 * time.Minute
)

var addrC = netip.MustParseAddr("192.0.2.3")

// whole marks a DATA chunk that carries a complete message.
const whole = wire.FlagBegin | wire.FlagEnd

// scriptedConfig is the configuration of the endpoint under test: RFC
// defaults, except that heartbeats, SCTP-PF (whose probes are heartbeats)
// and the path MTU search (whose probes are too) are off, so that only
// what a test provokes goes on the wire. The scripted peer is
// single-homed: PF would have no other path to use.
func scriptedConfig() Config {
	return Config{HeartbeatInterval: -1, PFThreshold: -1, PMTUFixed: true}
}

// rig is a simulated network with the endpoint under test and a scripted
// peer.
type rig struct {
	t    *testing.T
	net  *simnet.Network
	ep   *Endpoint
	peer *peer
}

// newRig builds a rig whose endpoint listens with cfg. It must run inside
// a synctest bubble.
func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	n := simnet.New(1)
	t.Cleanup(n.Close)
	cfg.Port = sutPort
	ep := simEndpoint(t, n.AddHost("sut", addrA), cfg, true)
	return &rig{t: t, net: n, ep: ep, peer: newPeer(t, n.AddHost("peer", addrB), ep)}
}

// associations returns how many associations the endpoint keeps, as its
// demultiplexing tables see them.
func (r *rig) associations() int {
	r.ep.mu.Lock()
	defer r.ep.mu.Unlock()
	seen := map[*Association]bool{}
	for _, a := range r.ep.byTag {
		seen[a] = true
	}
	for _, a := range r.ep.byPeer {
		seen[a] = true
	}
	return len(seen)
}

// accept returns the next association the endpoint accepted.
func (r *rig) accept() *Association {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	a, err := r.ep.Accept(ctx)
	if err != nil {
		r.t.Fatalf("Accept: %v", err)
	}
	return a
}

// noneAccepted fails if an association waits to be accepted.
func (r *rig) noneAccepted() {
	r.t.Helper()
	if n := len(r.ep.accept); n != 0 {
		r.t.Errorf("%d unexpected association(s) waiting for Accept", n)
	}
}

// peerInit returns the INIT of the scripted peer: no optional parameters,
// so the association uses plain DATA and no extensions.
func peerInit(tag, tsn uint32) *wire.Init {
	return &wire.Init{InitiateTag: tag, ARwnd: peerRwnd, OutStreams: peerStreams, InStreams: peerStreams, InitialTSN: tsn}
}

// session is what the scripted peer knows of an association with the
// endpoint under test.
type session struct {
	tag    uint32            // the peer's tag: packets from the endpoint carry it
	epTag  uint32            // the endpoint's tag: packets from the peer carry it
	tsn    uint32            // the next TSN the peer sends
	epTSN  uint32            // the endpoint's initial TSN
	cookie []byte            // the State Cookie of the handshake
	ssn    map[uint16]uint16 // the next SSN of each stream the peer sends on
}

// data returns a DATA chunk carrying payload as one whole message on stream
// sid, with the session's next TSN and SSN.
func (s *session) data(sid uint16, payload string, flags wire.DataFlags) *wire.Data {
	if s.ssn == nil {
		s.ssn = map[uint16]uint16{}
	}
	d := &wire.Data{Flags: whole | flags, TSN: s.tsn, Stream: sid, SSN: s.ssn[sid], PPID: 42, Payload: []byte(payload)}
	s.tsn++
	s.ssn[sid]++
	return d
}

// initAck sends init and returns the INIT ACK that answers it, with the
// session it starts.
func (r *rig) initAck(init *wire.Init) (*wire.InitAck, *session) {
	r.t.Helper()
	r.peer.send(0, init)
	ack := chunkOf[wire.InitAck](r.t, r.peer.expect(init.InitiateTag, wire.TypeInitAck))
	return ack, &session{
		tag:    init.InitiateTag,
		epTag:  ack.InitiateTag,
		tsn:    init.InitialTSN,
		epTSN:  ack.InitialTSN,
		cookie: append([]byte(nil), cookieOf(r.t, ack)...),
	}
}

// cookieOf returns the State Cookie of an INIT ACK.
func cookieOf(t testing.TB, ack *wire.InitAck) []byte {
	t.Helper()
	p, ok := ack.Params.Find(wire.ParamStateCookie)
	if !ok {
		t.Fatal("INIT ACK without a State Cookie")
	}
	var sc wire.StateCookieParam
	if err := sc.Decode(p); err != nil {
		t.Fatal(err)
	}
	return sc.Cookie
}

// handshake runs the four-way handshake as the client, with init, and
// returns the session once the COOKIE ACK arrived.
func (r *rig) handshake(init *wire.Init) *session {
	r.t.Helper()
	_, s := r.initAck(init)
	r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
	r.peer.expect(s.tag, wire.TypeCookieAck)
	return s
}

// connect sets up an association from the scripted peer and returns it as
// the endpoint accepted it.
func (r *rig) connect() (*Association, *session) {
	r.t.Helper()
	s := r.handshake(peerInit(peerTag, peerTSN))
	return r.accept(), s
}

// restart runs the peer's side of a restart (section 5.2.2 then 5.2.4
// case A): a new INIT from the same address, the INIT ACK, the COOKIE ECHO
// and its COOKIE ACK. It returns the new session.
func (r *rig) restart(newTag, newTSN uint32) *session {
	r.t.Helper()
	ack, s := r.initAck(peerInit(newTag, newTSN))
	r.peer.send(ack.InitiateTag, &wire.CookieEcho{Cookie: s.cookie})
	r.peer.expect(newTag, wire.TypeCookieAck)
	return s
}

// expectData sends DATA on s with the endpoint's tag and checks that the
// association acknowledges it with a SACK carrying the peer's tag: the
// association is alive and the tags are those of s.
func (r *rig) expectData(s *session) {
	r.t.Helper()
	d := s.data(0, "still there?", wire.FlagImmediate)
	r.peer.send(s.epTag, d)
	if got := chunkOf[wire.Sack](r.t, r.peer.expect(s.tag, wire.TypeSack)).CumTSN; got != d.TSN {
		r.t.Fatalf("SACK acknowledges %d, want %d", got, d.TSN)
	}
}

// dialResult is what Dial returned.
type dialResult struct {
	a   *Association
	err error
}

// dial starts a Dial from the endpoint under test to the scripted peer.
func (r *rig) dial() <-chan dialResult {
	ch := make(chan dialResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
		defer cancel()
		a, err := r.ep.Dial(ctx, Remote{Addrs: []netip.Addr{addrB}, Port: peerPort, UDPPort: DefaultUDPPort})
		ch <- dialResult{a, err}
	}()
	return ch
}

// dialed waits for the result of dial.
func (r *rig) dialed(ch <-chan dialResult) dialResult {
	r.t.Helper()
	res, ok := within(ch, waitLimit)
	if !ok {
		r.t.Fatal("Dial did not return")
	}
	return res
}

// answerDial dials the peer and plays the server's part of the handshake,
// returning the established association.
func (r *rig) answerDial() (*Association, *session) {
	r.t.Helper()
	ch := r.dial()
	init := chunkOf[wire.Init](r.t, r.peer.expect(0, wire.TypeInit))
	s := &session{tag: peerTag, epTag: init.InitiateTag, tsn: peerTSN, epTSN: init.InitialTSN, cookie: []byte("scripted peer cookie")}
	r.peer.send(s.epTag, peerInitAck(s))
	echo := chunkOf[wire.CookieEcho](r.t, r.peer.expect(s.tag, wire.TypeCookieEcho))
	if string(echo.Cookie) != string(s.cookie) {
		r.t.Fatalf("COOKIE ECHO carries %q, want the cookie sent, %q", echo.Cookie, s.cookie)
	}
	r.peer.send(s.epTag, &wire.CookieAck{})
	res := r.dialed(ch)
	if res.err != nil {
		r.t.Fatalf("Dial: %v", res.err)
	}
	return res.a, s
}

// peerInitAck is the scripted peer's INIT ACK for session s.
func peerInitAck(s *session) *wire.InitAck {
	return &wire.InitAck{
		InitiateTag: s.tag, ARwnd: peerRwnd, OutStreams: peerStreams, InStreams: peerStreams, InitialTSN: s.tsn,
		Params: wire.AppendParam(nil, &wire.StateCookieParam{Cookie: s.cookie}),
	}
}

// peer is the scripted SCTP peer: a UDP port on its own host, where it
// sends raw SCTP packets and queues every packet it receives.
type peer struct {
	t       *testing.T
	host    *simnet.Host
	conn    *simnet.Conn
	port    uint16         // its SCTP port
	dst     netip.AddrPort // UDP address of the endpoint under test
	dstPort uint16         // SCTP port of the endpoint under test
	in      chan packet
}

func newPeer(t *testing.T, h *simnet.Host, ep *Endpoint) *peer {
	t.Helper()
	p := &peer{
		t:       t,
		host:    h,
		port:    peerPort,
		dst:     netip.AddrPortFrom(ep.LocalAddrs()[0], uint16(ep.UDPPort())),
		dstPort: ep.Port(),
		in:      make(chan packet, 4096),
	}
	conn, err := h.Open(DefaultUDPPort, p.receive)
	if err != nil {
		t.Fatal(err)
	}
	p.conn = conn
	return p
}

// rebind moves the peer to UDP port udpPort, as a NAT that assigns a new
// mapping does: the peer sends from there and receives there too. The
// old socket stays open until the caller closes it, which it returns.
func (p *peer) rebind(udpPort int) *simnet.Conn {
	p.t.Helper()
	conn, err := p.host.Open(udpPort, p.receive)
	if err != nil {
		p.t.Fatal(err)
	}
	old := p.conn
	p.conn = conn
	return old
}

// receive is the peer's socket handler: it decodes and queues packets.
func (p *peer) receive(batch []encap.Datagram) {
	now := time.Now()
	for _, d := range batch {
		pk, err := parsePacket(now, d)
		if err != nil {
			p.t.Errorf("peer received a bad packet from %v: %v", d.Remote, err)
			continue
		}
		select {
		case p.in <- pk:
		default:
			p.t.Errorf("peer receive queue full; dropped %v", pk)
		}
	}
}

// chunk is anything that appends one encoded chunk: the wire types,
// wire.Raw, rawChunk.
type chunk interface{ Append([]byte) []byte }

// rawChunk is a chunk written byte for byte.
type rawChunk []byte

func (r rawChunk) Append(b []byte) []byte { return append(b, r...) }

// send sends one packet with vtag and chunks, from the peer's SCTP port.
func (p *peer) send(vtag uint32, chunks ...chunk) {
	p.t.Helper()
	p.sendHeader(wire.Header{SrcPort: p.port, DstPort: p.dstPort, VerificationTag: vtag}, chunks...)
}

// sendHeader sends one packet with an explicit common header.
func (p *peer) sendHeader(h wire.Header, chunks ...chunk) {
	p.t.Helper()
	b := h.Append(nil)
	for _, c := range chunks {
		b = c.Append(b)
	}
	wire.SetChecksum(b)
	if err := p.conn.Send(encap.Datagram{Data: b, Remote: p.dst}); err != nil {
		p.t.Fatalf("peer send: %v", err)
	}
}

// next waits up to d for the next packet.
func (p *peer) next(d time.Duration) (packet, bool) { return within(p.in, d) }

// expect checks that the next packet is already there or comes at once,
// without virtual time passing, and that it carries vtag and exactly the
// chunk types given, in order. Replies and the effects of API calls come
// at once over the rig's delay-free links.
func (p *peer) expect(vtag uint32, types ...wire.ChunkType) packet {
	p.t.Helper()
	start := time.Now()
	pk, ok := p.next(time.Millisecond)
	if !ok || pk.at.After(start) {
		p.t.Fatalf("nothing sent at once; want vtag %#08x: %s", vtag, typeList(types))
	}
	p.check(pk, vtag, types)
	return pk
}

// await is expect for packets that timers send: it waits up to waitLimit.
func (p *peer) await(vtag uint32, types ...wire.ChunkType) packet {
	p.t.Helper()
	pk, ok := p.next(waitLimit)
	if !ok {
		p.t.Fatalf("no packet within %v; want vtag %#08x: %s", waitLimit, vtag, typeList(types))
	}
	p.check(pk, vtag, types)
	return pk
}

func (p *peer) check(pk packet, vtag uint32, types []wire.ChunkType) {
	p.t.Helper()
	if typeList(pk.types()) != typeList(types) || pk.vtag != vtag {
		p.t.Fatalf("got %v\nwant vtag %#08x: %s", pk, vtag, typeList(types))
	}
}

// expectSilence fails if a packet arrives within d.
func (p *peer) expectSilence(d time.Duration) {
	p.t.Helper()
	start := time.Now()
	if pk, ok := p.next(d); ok {
		p.t.Fatalf("unexpected %v, %v after the wait began", pk, pk.at.Sub(start))
	}
}

// collect returns the packets that arrive within d.
func (p *peer) collect(d time.Duration) []packet {
	var pks []packet
	deadline := time.Now().Add(d)
	for {
		pk, ok := p.next(time.Until(deadline))
		if !ok {
			return pks
		}
		pks = append(pks, pk)
	}
}

// packet is an SCTP packet the peer received.
type packet struct {
	at               time.Time
	udpPort          uint16 // the peer's UDP port it arrived at
	srcPort, dstPort uint16
	vtag             uint32
	chunks           []wire.Chunk
}

func parsePacket(at time.Time, d encap.Datagram) (packet, error) {
	raw, err := wire.ParsePacket(append([]byte(nil), d.Data...))
	if err != nil {
		return packet{}, err
	}
	if !raw.VerifyChecksum() {
		return packet{}, fmt.Errorf("bad CRC32c")
	}
	pk := packet{at: at, udpPort: d.Local.Port(), srcPort: raw.SrcPort(), dstPort: raw.DstPort(), vtag: raw.VerificationTag()}
	it := raw.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		pk.chunks = append(pk.chunks, c)
	}
	return pk, it.Err()
}

func (pk packet) types() []wire.ChunkType {
	ts := make([]wire.ChunkType, len(pk.chunks))
	for i, c := range pk.chunks {
		ts[i] = c.Type()
	}
	return ts
}

// find returns the first chunk of type t, or nil.
func (pk packet) find(t wire.ChunkType) wire.Chunk {
	for _, c := range pk.chunks {
		if c.Type() == t {
			return c
		}
	}
	return nil
}

// all returns the chunks of type t.
func (pk packet) all(t wire.ChunkType) []wire.Chunk {
	var cs []wire.Chunk
	for _, c := range pk.chunks {
		if c.Type() == t {
			cs = append(cs, c)
		}
	}
	return cs
}

func (pk packet) String() string {
	names := make([]string, len(pk.chunks))
	for i, c := range pk.chunks {
		names[i] = c.Type().String()
		if (c.Type() == wire.TypeAbort || c.Type() == wire.TypeShutdownComplete) && tBit(c) {
			names[i] += " (T)"
		}
	}
	return fmt.Sprintf("packet %d->%d vtag %#08x: [%s]", pk.srcPort, pk.dstPort, pk.vtag, strings.Join(names, ", "))
}

func typeList(ts []wire.ChunkType) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// tBit reports whether an ABORT or SHUTDOWN COMPLETE has its T bit set.
func tBit(c wire.Chunk) bool { return c.Flags()&1 != 0 }

// chunkPtr is the pointer type of a wire chunk value.
type chunkPtr[T any] interface {
	*T
	wire.ChunkValue
}

// chunkOf decodes the first chunk of pk of T's type, failing the test if
// there is none or it does not decode.
func chunkOf[T any, P chunkPtr[T]](t testing.TB, pk packet) *T {
	t.Helper()
	v := P(new(T))
	c := pk.find(v.ChunkType())
	if c == nil {
		t.Fatalf("no %s chunk in %v", v.ChunkType(), pk)
	}
	if err := v.Decode(c); err != nil {
		t.Fatalf("%s chunk: %v", v.ChunkType(), err)
	}
	return (*T)(v)
}

// causesOf returns the error causes of an ABORT or ERROR chunk.
func causesOf(t testing.TB, c wire.Chunk) []wire.Cause {
	t.Helper()
	var list wire.Causes
	switch c.Type() {
	case wire.TypeAbort:
		var ab wire.Abort
		if err := ab.Decode(c); err != nil {
			t.Fatalf("ABORT: %v", err)
		}
		list = ab.Causes
	case wire.TypeError:
		var e wire.ErrorChunk
		if err := e.Decode(c); err != nil {
			t.Fatalf("ERROR: %v", err)
		}
		list = e.Causes
	default:
		t.Fatalf("%s chunk has no error causes", c.Type())
	}
	var out []wire.Cause
	it := list.Iter()
	for cause, ok := it.Next(); ok; cause, ok = it.Next() {
		out = append(out, cause)
	}
	return out
}

// causePtr is the pointer type of a wire error cause.
type causePtr[T any] interface {
	*T
	wire.CauseValue
	Decode(wire.Cause) error
}

// causeOf decodes the cause of T's code in the ABORT or ERROR chunk c,
// failing the test if there is none.
func causeOf[T any, P causePtr[T]](t testing.TB, c wire.Chunk) *T {
	t.Helper()
	v := P(new(T))
	var codes []string
	for _, cause := range causesOf(t, c) {
		if cause.Code() == v.CauseCode() {
			if err := v.Decode(cause); err != nil {
				t.Fatalf("%s cause: %v", v.CauseCode(), err)
			}
			return (*T)(v)
		}
		codes = append(codes, cause.Code().String())
	}
	t.Fatalf("%s chunk has causes %q, want %q", c.Type(), codes, v.CauseCode())
	return nil
}

// within waits up to d of virtual time for a value from ch, or for ch to
// close (then it returns the zero value and true).
func within[T any](ch <-chan T, d time.Duration) (T, bool) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v, true
	case <-timer.C:
		var zero T
		return zero, false
	}
}

// waitEvent reads a's events until one of type typ and returns it.
func waitEvent(t testing.TB, a *Association, typ EventType) Event {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	var seen []string
	for {
		e, ok := within(a.Events(), time.Until(deadline))
		if !ok || e.Type == 0 {
			t.Fatalf("no %v event; saw %q", typ, seen)
		}
		if e.Type == typ {
			return e
		}
		seen = append(seen, e.String())
	}
}

// waitEvents reads a's events until one of each type in types arrived, in
// any order, and returns the first of each type.
func waitEvents(t testing.TB, a *Association, types ...EventType) map[EventType]Event {
	t.Helper()
	got := map[EventType]Event{}
	deadline := time.Now().Add(waitLimit)
	var seen []string
	for len(got) < len(types) {
		e, ok := within(a.Events(), time.Until(deadline))
		if !ok || e.Type == 0 {
			t.Fatalf("want events %v; saw %q", types, seen)
		}
		seen = append(seen, e.String())
		if _, dup := got[e.Type]; !dup && slices.Contains(types, e.Type) {
			got[e.Type] = e
		}
	}
	return got
}

// waitDone waits until a has ended and returns its error.
func waitDone(t testing.TB, a *Association) error {
	t.Helper()
	if _, ok := within(a.Done(), waitLimit); !ok {
		t.Fatalf("association still %s after %v", a.Stats().State, waitLimit)
	}
	return a.Err()
}

// stateOf returns the association's state name.
func stateOf(a *Association) string { return a.Stats().State }

// recvString reads one message from a, failing after waitLimit.
func recvString(t testing.TB, a *Association) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	buf := make([]byte, 64<<10)
	n, _, err := a.RecvMsg(ctx, buf)
	return string(buf[:n]), err
}

// sendString queues msg on stream 0 of a.
func sendString(t testing.TB, a *Association, msg string) {
	t.Helper()
	if err := a.SendMsg(context.Background(), []byte(msg), SendInfo{}); err != nil {
		t.Fatalf("SendMsg(%q): %v", msg, err)
	}
}

// sack is a SACK with a large window.
func sack(cum uint32, gaps ...wire.GapBlock) *wire.Sack {
	return &wire.Sack{CumTSN: cum, ARwnd: peerRwnd, Gaps: gaps}
}
