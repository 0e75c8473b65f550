package stack

// The scripted peer of the AUTH and ASCONF tests, on top of the harness
// of scripted_harness_test.go: a rig whose peer owns several addresses and
// whose endpoint's host can gain some, a log of every packet the endpoint
// under test put on the wire with its addresses and raw bytes, the peer's
// side of an authenticated session (its AUTH parameters, keys and HMAC
// state, and the serial of its next ASCONF), packets it signs, and
// helpers to build ASCONFs and read ASCONF-ACKs.

import (
	"bytes"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// More addresses of the scripted world. The endpoint under test may have
// addrA2 and addrA3 besides addrA; the authenticated peer's host owns
// addrB2 and addrB3 besides addrB from the start, and can send from any of
// them, but the endpoint learns of them only if the peer tells it.
var (
	addrA2 = netip.MustParseAddr("192.0.2.11")
	addrA3 = netip.MustParseAddr("192.0.2.12")
	addrB2 = netip.MustParseAddr("192.0.2.21")
	addrB3 = netip.MustParseAddr("192.0.2.22")
)

// peerAuthChunks are the chunk types the scripted peer asks the endpoint
// to authenticate (with ASCONF and ASCONF-ACK, which auth.NewParams always
// adds): nearly everything an established association sends.
var peerAuthChunks = []wire.ChunkType{
	wire.TypeData, wire.TypeSack, wire.TypeHeartbeat, wire.TypeHeartbeatAck, wire.TypeAbort, wire.TypeError,
}

// authRig is a rig whose scripted peer owns addrB, addrB2 and addrB3,
// whose endpoint's host can gain addresses, and which logs what the
// endpoint sends.
type authRig struct {
	*rig
	sut  *simnet.Host // the endpoint's host
	wire *wireLog
}

// newAuthRig builds an authRig whose endpoint listens with cfg on sutAddrs
// (addrA if none is given; the first is where the peer sends).
func newAuthRig(t *testing.T, cfg Config, sutAddrs ...netip.Addr) *authRig {
	t.Helper()
	if len(sutAddrs) == 0 {
		sutAddrs = []netip.Addr{addrA}
	}
	n := simnet.New(1)
	t.Cleanup(n.Close)
	log := &wireLog{}
	n.OnPacket(log.record)
	cfg.Port = sutPort
	sut := n.AddHost("sut", sutAddrs...)
	ep := simEndpoint(t, sut, cfg, true)
	p := newPeer(t, n.AddHost("peer", addrB, addrB2, addrB3), ep)
	return &authRig{rig: &rig{t: t, net: n, ep: ep, peer: p}, sut: sut, wire: log}
}

// wirePacket is a packet the endpoint under test sent, as it arrived.
type wirePacket struct {
	at       time.Time
	src, dst netip.Addr
	raw      wire.Packet // a copy of the whole packet
}

// has reports whether the packet carries a chunk of type t.
func (wp wirePacket) has(t wire.ChunkType) bool { return carries(wp.raw, t) }

// chunks returns the packet's chunks.
func (wp wirePacket) chunks() []wire.Chunk {
	var cs []wire.Chunk
	it := wp.raw.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		cs = append(cs, c)
	}
	return cs
}

// wireLog records every packet the endpoint under test sends (SCTP source
// port sutPort) that reaches a socket. The network's tap sees a packet
// before the receiving socket does, so a packet the peer has read is
// already in the log.
type wireLog struct {
	mu   sync.Mutex
	pkts []wirePacket
	next int // the first packet match has not consumed
}

func (w *wireLog) record(ts time.Time, src, dst netip.AddrPort, data []byte, fate simnet.Fate) {
	pkt, err := wire.ParsePacket(data)
	if err != nil || fate != simnet.Delivered || pkt.SrcPort() != sutPort {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pkts = append(w.pkts, wirePacket{at: ts, src: src.Addr(), dst: dst.Addr(), raw: bytes.Clone(data)})
}

// all returns the packets logged so far.
func (w *wireLog) all() []wirePacket {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.pkts)
}

// carrying returns the logged packets with a chunk of type t.
func (w *wireLog) carrying(t wire.ChunkType) []wirePacket {
	var out []wirePacket
	for _, wp := range w.all() {
		if wp.has(t) {
			out = append(out, wp)
		}
	}
	return out
}

// match returns the logged packet that the peer received as pk: the first
// one not matched before with the same tag and chunks.
func (w *wireLog) match(t testing.TB, pk packet) wirePacket {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := w.next; i < len(w.pkts); i++ {
		wp := w.pkts[i]
		if wp.raw.VerificationTag() == pk.vtag && slices.EqualFunc(wp.chunks(), pk.chunks, func(x, y wire.Chunk) bool { return bytes.Equal(x, y) }) {
			w.next = i + 1
			return wp
		}
	}
	t.Fatalf("%v is not in the wire log", pk)
	return wirePacket{}
}

// authSession is the scripted peer's side of an association that uses
// SCTP-AUTH: the session of the handshake, the AUTH parameters the peer
// sent, its AUTH state derived from both sides' parameters, and the serial
// of its next ASCONF.
type authSession struct {
	*session
	initAck *wire.InitAck // the endpoint's INIT ACK
	params  *auth.Params
	au      *auth.Session
	serial  uint32
}

// authInit is the scripted peer's INIT with AUTH parameters ap and a
// Supported Extensions parameter listing exts.
func authInit(tag, tsn uint32, ap *auth.Params, exts ...wire.ChunkType) *wire.Init {
	init := peerInit(tag, tsn)
	init.Params = ap.AppendTo(nil)
	if len(exts) > 0 {
		init.Params = wire.AppendParam(init.Params, &wire.SupportedExtensionsParam{Types: exts})
	}
	return init
}

// asconfExts is what a peer that does SCTP-AUTH and RFC 5061 lists in its
// Supported Extensions parameter.
var asconfExts = []wire.ChunkType{wire.TypeAuth, wire.TypeAsconf, wire.TypeAsconfAck}

// connectAuth sets up an association from a peer that asks for
// peerAuthChunks to be authenticated and supports ASCONF.
func (r *authRig) connectAuth() (*Association, *authSession) {
	r.t.Helper()
	return r.connectWith(auth.NewParams(peerAuthChunks), asconfExts...)
}

// connectWith sets up an association from a peer whose INIT carries the
// AUTH parameters ap and the extensions exts, and returns it as the
// endpoint accepted it.
func (r *authRig) connectWith(ap *auth.Params, exts ...wire.ChunkType) (*Association, *authSession) {
	r.t.Helper()
	return r.connectInit(authInit(peerTag, peerTSN, ap, exts...), ap)
}

// connectInit sets up an association from a peer whose INIT is init,
// carrying the AUTH parameters ap.
func (r *authRig) connectInit(init *wire.Init, ap *auth.Params) (*Association, *authSession) {
	r.t.Helper()
	ack, s := r.initAck(init)
	ours, err := auth.ParseParams(ack.Params)
	if err != nil {
		r.t.Fatalf("AUTH parameters of the INIT ACK: %v", err)
	}
	as := &authSession{session: s, initAck: ack, params: ap, au: auth.NewSession(ap, ours, auth.NewKeyring()), serial: init.InitialTSN}
	r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
	r.expectSigned(as, wire.TypeCookieAck)
	return r.accept(), as
}

// signed returns types as the endpoint must send them to this peer: with
// an AUTH chunk ahead of the first type the peer listed in its CHUNKS
// parameter.
func (s *authSession) signed(types ...wire.ChunkType) []wire.ChunkType {
	for i, t := range types {
		if s.au.RecvNeedsAuth(t) {
			return slices.Insert(slices.Clone(types), i, wire.TypeAuth)
		}
	}
	return types
}

// checkAuth checks that every chunk of wp that the peer listed in its
// CHUNKS parameter follows an AUTH chunk, and that the packet's first AUTH
// chunk verifies with the peer's keys (RFC 4895 sections 6.2 and 6.3). It
// returns that AUTH chunk, or nil if there is none.
func (s *authSession) checkAuth(t testing.TB, wp wirePacket) *wire.Auth {
	t.Helper()
	var found *wire.Auth
	it := wp.raw.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch {
		case c.Type() == wire.TypeAuth && found == nil:
			found = new(wire.Auth)
			if err := found.Decode(c); err != nil {
				t.Fatalf("AUTH chunk: %v", err)
			}
			if res := s.au.Verify(wp.raw[it.Offset():]); res != auth.Verified {
				t.Fatalf("AUTH chunk (key %d, HMAC %d) of a packet to %v: %v", found.KeyID, found.HMACID, wp.dst, res)
			}
		case found == nil && s.au.RecvNeedsAuth(c.Type()):
			t.Fatalf("%s sent to %v without AUTH ahead of it", c.Type(), wp.dst)
		}
	}
	if it.Err() != nil {
		t.Fatalf("packet to %v: %v", wp.dst, it.Err())
	}
	return found
}

// expectSigned checks that the next packet comes at once with the peer's
// tag, carries types with AUTH where the peer asked for it, and that its
// AUTH verifies. It returns the packet as logged, with its addresses.
func (r *authRig) expectSigned(s *authSession, types ...wire.ChunkType) wirePacket {
	r.t.Helper()
	wp := r.wire.match(r.t, r.peer.expect(s.tag, s.signed(types...)...))
	s.checkAuth(r.t, wp)
	return wp
}

// awaitSigned is expectSigned for packets that timers send.
func (r *authRig) awaitSigned(s *authSession, types ...wire.ChunkType) wirePacket {
	r.t.Helper()
	wp := r.wire.match(r.t, r.peer.await(s.tag, s.signed(types...)...))
	s.checkAuth(r.t, wp)
	return wp
}

// authMark is the place of the AUTH chunk in a packet that seal builds.
type authMark struct{}

func (authMark) Append(b []byte) []byte { return b }

// authHere marks where seal puts the peer's AUTH chunk.
var authHere chunk = authMark{}

// seal encodes a packet of the peer with tag vtag and chunks, in order,
// with an AUTH chunk for the peer's active key in place of authHere,
// signed over everything after it. The checksum is left for sendRaw.
func (s *authSession) seal(t testing.TB, vtag uint32, chunks ...chunk) []byte {
	t.Helper()
	b := wire.Header{SrcPort: peerPort, DstPort: sutPort, VerificationTag: vtag}.Append(nil)
	at := -1
	for _, c := range chunks {
		if _, ok := c.(authMark); ok {
			at = len(b)
			b = s.au.AppendAuth(b)
			continue
		}
		b = c.Append(b)
	}
	if at >= 0 {
		if err := s.au.Sign(b[at:]); err != nil {
			t.Fatalf("signing: %v", err)
		}
	}
	return b
}

// sendRaw sends an encoded packet of the peer from its address from to the
// endpoint's address to, after setting its checksum.
func (r *authRig) sendRaw(from, to netip.Addr, b []byte) {
	r.t.Helper()
	wire.SetChecksum(b)
	d := encap.Datagram{Data: b, Local: netip.AddrPortFrom(from, 0), Remote: netip.AddrPortFrom(to, r.peer.dst.Port())}
	if err := r.peer.conn.Send(d); err != nil {
		r.t.Fatalf("peer send from %v: %v", from, err)
	}
}

// sendSigned sends chunks from addrB behind a signed AUTH chunk, with the
// endpoint's tag.
func (r *authRig) sendSigned(s *authSession, chunks ...chunk) {
	r.t.Helper()
	r.sendSignedFrom(s, addrB, chunks...)
}

// sendSignedFrom is sendSigned from another of the peer's addresses.
func (r *authRig) sendSignedFrom(s *authSession, from netip.Addr, chunks ...chunk) {
	r.t.Helper()
	r.sendRaw(from, addrA, s.seal(r.t, s.epTag, append([]chunk{authHere}, chunks...)...))
}

// alive checks that the association takes the peer's DATA and
// acknowledges it; it returns the packet with the SACK.
func (r *authRig) alive(s *authSession) wirePacket {
	r.t.Helper()
	d := s.data(0, "still there?", wire.FlagImmediate)
	r.peer.send(s.epTag, d)
	wp := r.expectSigned(s, wire.TypeSack)
	var sk wire.Sack
	for _, c := range wp.chunks() {
		if c.Type() == wire.TypeSack && sk.Decode(c) == nil && sk.CumTSN == d.TSN {
			return wp
		}
	}
	r.t.Fatalf("no SACK of TSN %d in the answer", d.TSN)
	return wp
}

// answerHeartbeat answers the HEARTBEAT in wp from the address it was sent
// to, so that the endpoint confirms that path.
func (r *authRig) answerHeartbeat(s *authSession, wp wirePacket) {
	r.t.Helper()
	for _, c := range wp.chunks() {
		var hb wire.Heartbeat
		if c.Type() == wire.TypeHeartbeat && hb.Decode(c) == nil {
			r.sendRaw(wp.dst, wp.src, s.seal(r.t, s.epTag, &wire.HeartbeatAck{Info: hb.Info}))
			return
		}
	}
	r.t.Fatalf("no HEARTBEAT to answer in the packet to %v", wp.dst)
}

// authAt returns the offset of the first AUTH chunk of the packet b.
func authAt(t testing.TB, b []byte) int {
	t.Helper()
	it := wire.Packet(b).Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type() == wire.TypeAuth {
			return it.Offset()
		}
	}
	t.Fatal("no AUTH chunk in the packet")
	return 0
}

// paramOf decodes the first parameter of T's type in ps, or reports false.
func paramOf[T any, P interface {
	*T
	wire.ParamValue
	Decode(wire.Param) error
}](t testing.TB, ps wire.Params) (*T, bool) {
	t.Helper()
	v := P(new(T))
	p, ok := ps.Find(v.ParamType())
	if !ok {
		return nil, false
	}
	if err := v.Decode(p); err != nil {
		t.Fatalf("%s parameter: %v", v.ParamType(), err)
	}
	return (*T)(v), true
}

// authConfig is the configuration of the AUTH tests: scriptedConfig, and
// HEARTBEAT on the list of chunks the peer must authenticate, so that a
// HEARTBEAT ACK (or silence) tells whether a signed HEARTBEAT passed.
func authConfig() Config {
	cfg := scriptedConfig()
	cfg.AuthChunks = []wire.ChunkType{wire.TypeHeartbeat}
	return cfg
}

// heartbeat is a HEARTBEAT the scripted peer sends.
func heartbeat(info string) *wire.Heartbeat { return &wire.Heartbeat{Info: []byte(info)} }

// expectHeartbeatAck checks that the endpoint answers at once with a
// HEARTBEAT ACK echoing info.
func (r *authRig) expectHeartbeatAck(s *authSession, info string) {
	r.t.Helper()
	wp := r.expectSigned(s, wire.TypeHeartbeatAck)
	for _, c := range wp.chunks() {
		var ack wire.HeartbeatAck
		if c.Type() == wire.TypeHeartbeatAck && ack.Decode(c) == nil {
			if string(ack.Info) != info {
				r.t.Fatalf("HEARTBEAT ACK echoes %q, want %q", ack.Info, info)
			}
			return
		}
	}
	r.t.Fatal("the HEARTBEAT ACK does not decode")
}

// wildcard4 is the IPv4 wildcard address, which stands for the source
// address of the packet in an ASCONF request (RFC 5061 section 4.2).
var wildcard4 = netip.IPv4Unspecified()

// addIP, deleteIP and setPrimary are ASCONF requests.
func addIP(id uint32, a netip.Addr) *wire.AddressRequestParam {
	return &wire.AddressRequestParam{Type: wire.ParamAddIP, CorrelationID: id, Address: a}
}

func deleteIP(id uint32, a netip.Addr) *wire.AddressRequestParam {
	return &wire.AddressRequestParam{Type: wire.ParamDeleteIP, CorrelationID: id, Address: a}
}

func setPrimary(id uint32, a netip.Addr) *wire.AddressRequestParam {
	return &wire.AddressRequestParam{Type: wire.ParamSetPrimary, CorrelationID: id, Address: a}
}

// asconf returns the peer's next ASCONF, with addr in its Address
// Parameter and the requests reqs, and advances the peer's serial.
func (s *authSession) asconf(addr netip.Addr, reqs ...wire.ParamValue) *wire.Asconf {
	var ps wire.Params
	for _, r := range reqs {
		ps = wire.AppendParam(ps, r)
	}
	c := &wire.Asconf{Serial: s.serial, Address: addr, Params: ps}
	s.serial++
	return c
}

// expectAsconfAck checks that a signed ASCONF-ACK for serial comes at once
// and returns it with its packet.
func (r *authRig) expectAsconfAck(s *authSession, serial uint32) (*wire.AsconfAck, wirePacket) {
	r.t.Helper()
	wp := r.expectSigned(s, wire.TypeAsconfAck)
	return decodeAsconfAck(r.t, wp, serial), wp
}

// decodeAsconfAck decodes the ASCONF-ACK of wp and checks its serial.
func decodeAsconfAck(t testing.TB, wp wirePacket, serial uint32) *wire.AsconfAck {
	t.Helper()
	for _, c := range wp.chunks() {
		if c.Type() != wire.TypeAsconfAck {
			continue
		}
		var ack wire.AsconfAck
		if err := ack.Decode(c); err != nil {
			t.Fatalf("ASCONF-ACK: %v", err)
		}
		if ack.Serial != serial {
			t.Fatalf("ASCONF-ACK for serial %d, want %d", ack.Serial, serial)
		}
		return &ack
	}
	t.Fatal("no ASCONF-ACK in the packet")
	return nil
}

// refusal returns the first cause of the Error Cause Indication that
// refuses request id in ack, or nil if none does: then the request
// succeeded (RFC 5061 section 5.1: a request without a response succeeded
// when no earlier one failed; the tests check the first failure).
func refusal(t testing.TB, ack *wire.AsconfAck, id uint32) wire.Cause {
	t.Helper()
	it := ack.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		var eci wire.ErrorCauseIndicationParam
		if p.Type() != wire.ParamErrorCauseIndication {
			continue
		}
		if err := eci.Decode(p); err != nil {
			t.Fatalf("Error Cause Indication: %v", err)
		}
		if eci.CorrelationID == id {
			ci := eci.Causes.Iter()
			if c, ok := ci.Next(); ok {
				return c
			}
			t.Fatalf("Error Cause Indication for request %d without a cause", id)
		}
	}
	return nil
}

// expectRefusal checks that ack refuses request req with an RFC 5061
// cause of code that carries the request as sent.
func expectRefusal(t testing.TB, ack *wire.AsconfAck, req *wire.AddressRequestParam, code wire.CauseCode) {
	t.Helper()
	c := refusal(t, ack, req.CorrelationID)
	if c == nil {
		t.Fatalf("request %d (%s %v) accepted, want %s", req.CorrelationID, req.Type, req.Address, code)
	}
	if c.Code() != code {
		t.Fatalf("request %d (%s %v) refused with %s, want %s", req.CorrelationID, req.Type, req.Address, c.Code(), code)
	}
	var ac wire.AsconfCause
	if err := ac.Decode(c); err != nil {
		t.Fatal(err)
	}
	if sent := wire.AppendParam(nil, req); !bytes.Equal(ac.Request, sent) {
		t.Errorf("%s carries %x, want the request %x", code, []byte(ac.Request), []byte(sent))
	}
}

// expectAccepted checks that ack refuses none of the requests ids.
func expectAccepted(t testing.TB, ack *wire.AsconfAck, ids ...uint32) {
	t.Helper()
	for _, id := range ids {
		if c := refusal(t, ack, id); c != nil {
			t.Errorf("request %d refused with %s", id, c.Code())
		}
	}
}

// pathsOf returns the peer addresses of a's paths.
func pathsOf(a *Association) []netip.Addr {
	var out []netip.Addr
	for _, p := range a.Paths() {
		out = append(out, p.Remote.Addr())
	}
	return out
}

// expectPaths checks the peer addresses of a's paths, in any order.
func expectPaths(t testing.TB, a *Association, want ...netip.Addr) {
	t.Helper()
	got := pathsOf(a)
	slices.SortFunc(got, netip.Addr.Compare)
	want = slices.SortedFunc(slices.Values(want), netip.Addr.Compare)
	if !slices.Equal(got, want) {
		t.Fatalf("paths to %v, want %v", got, want)
	}
}

// pathInfo returns the state of a's path to addr.
func pathInfo(t testing.TB, a *Association, addr netip.Addr) PathInfo {
	t.Helper()
	for _, p := range a.Paths() {
		if p.Remote.Addr() == addr {
			return p
		}
	}
	t.Fatalf("no path to %v among %v", addr, pathsOf(a))
	return PathInfo{}
}

// heartbeatConfig is scriptedConfig with heartbeats, which confirm new
// paths at once; active paths get theirs only after an hour.
func heartbeatConfig() Config {
	c := scriptedConfig()
	c.HeartbeatInterval = time.Hour
	return c
}

// expectRoute checks where a packet went and from where.
func expectRoute(t testing.TB, wp wirePacket, src, dst netip.Addr) {
	t.Helper()
	if wp.src != src || wp.dst != dst {
		t.Errorf("%v sent %v -> %v, want %v -> %v", typeList(packet{chunks: wp.chunks()}.types()), wp.src, wp.dst, src, dst)
	}
}

// expectTogether reads the packets that come at once, one per type of
// kinds in any order, each signed as the peer asked, and returns them by
// that type.
func (r *authRig) expectTogether(s *authSession, kinds ...wire.ChunkType) map[wire.ChunkType]wirePacket {
	r.t.Helper()
	start := time.Now()
	got := map[wire.ChunkType]wirePacket{}
	for range kinds {
		pk, ok := r.peer.next(time.Millisecond)
		if !ok || pk.at.After(start) {
			r.t.Fatalf("nothing more sent at once; want one packet each of %v, got %d", typeList(kinds), len(got))
		}
		ts := pk.types()
		k := ts[len(ts)-1]
		if _, dup := got[k]; dup || pk.vtag != s.tag || !slices.Contains(kinds, k) || !slices.Equal(ts, s.signed(k)) {
			r.t.Fatalf("got %v, want one packet each of %v", pk, typeList(kinds))
		}
		wp := r.wire.match(r.t, pk)
		s.checkAuth(r.t, wp)
		got[k] = wp
	}
	return got
}

// expectAsconf checks that a signed ASCONF with serial comes at once (or,
// with wait, when a timer sends it) and returns it with its packet.
func (r *authRig) expectAsconf(s *authSession, serial uint32, wait bool) (*wire.Asconf, wirePacket) {
	r.t.Helper()
	var wp wirePacket
	if wait {
		wp = r.awaitSigned(s, wire.TypeAsconf)
	} else {
		wp = r.expectSigned(s, wire.TypeAsconf)
	}
	for _, c := range wp.chunks() {
		var req wire.Asconf
		if c.Type() == wire.TypeAsconf {
			if err := req.Decode(c); err != nil {
				r.t.Fatalf("ASCONF: %v", err)
			}
			if req.Serial != serial {
				r.t.Fatalf("ASCONF serial %d, want %d", req.Serial, serial)
			}
			return &req, wp
		}
	}
	panic("unreachable: expectSigned checked the chunk types")
}

// requests decodes the requests of an ASCONF.
func requests(t testing.TB, req *wire.Asconf) []wire.AddressRequestParam {
	t.Helper()
	var out []wire.AddressRequestParam
	it := req.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		var r wire.AddressRequestParam
		if err := r.Decode(p); err != nil {
			t.Fatalf("ASCONF request: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// expectRequests checks the kinds and addresses of an ASCONF's requests,
// and that their correlation IDs differ.
func expectRequests(t testing.TB, req *wire.Asconf, want ...*wire.AddressRequestParam) []wire.AddressRequestParam {
	t.Helper()
	got := requests(t, req)
	ids := map[uint32]bool{}
	for _, r := range got {
		ids[r.CorrelationID] = true
	}
	ok := len(got) == len(want) && len(ids) == len(got)
	for i := 0; ok && i < len(want); i++ {
		ok = got[i].Type == want[i].Type && got[i].Address == want[i].Address
	}
	if !ok {
		t.Fatalf("ASCONF requests %+v, want %d of kinds and addresses %+v with distinct correlation IDs", got, len(want), want)
	}
	return got
}

// asconfEvents waits for n ASCONF events.
func asconfEvents(t testing.TB, a *Association, n int) []Event {
	t.Helper()
	var out []Event
	for range n {
		out = append(out, waitEvent(t, a, EventASCONF))
	}
	return out
}
