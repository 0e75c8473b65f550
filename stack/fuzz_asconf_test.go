package stack

import (
	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// FuzzAssociationAsconf drives an established, authenticated association
// with ASCONFs built from the fuzz input: Add IP Address, Delete IP
// Address and Set Primary Address requests for addresses from a small pool
// (the peer's, ours, the wildcard, broadcast, multicast, IPv6), parameters
// of unknown types with every combination of action bits, parameters with
// bad lengths; serials that are next, repeated, old or ahead; from any of
// the peer's addresses to any of ours; signed, unsigned or with a bad
// HMAC; with pauses that let timers run, heartbeats answered or not, and
// data in flight, acknowledged or not.
// The association must not panic; every packet it sends must parse, with
// every ASCONF-ACK (and whatever else the peer asked to be authenticated)
// behind an AUTH chunk that verifies, answering a serial the peer sent;
// it must keep at least one path; and in the end it must be alive and
// answering, or closed with a reason.
func FuzzAssociationAsconf(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 4, 0, 0, 5, 0, 0, 0})                                                  // Add IP addrB2, signed
	f.Add([]byte{0, 0, 1, 1, 4, 0, 0, 5, 1, 0, 0, 7, 0, 1, 1, 1, 4, 0, 1, 5, 1})                    // Add, heartbeat answered, Delete
	f.Add([]byte{0, 2, 3, 9, 0, 1, 0, 2, 4, 5, 0, 5, 0, 1, 6, 4, 0, 4, 5, 0, 2})                    // Set Primary, Delete source, repeated serial
	f.Add([]byte{2, 0xc0, 0x10, 4, 1, 2, 3, 4, 0, 0, 4, 1, 4, 0, 0, 5, 2, 1, 0})                    // unknown parameter, then Add
	f.Add([]byte{3, 0, 1, 0, 3, 1, 2, 8, 4, 7, 0, 5, 0, 0, 7, 4, 6, 3, 5, 0, 1})                    // bad lengths, future and old serials
	f.Add([]byte{0, 1, 3, 2, 0, 2, 3, 3, 4, 0, 0, 4, 0, 2, 5, 2, 0, 6, 6, 200, 1})                  // wildcard requests, two ASCONFs in a packet
	f.Add([]byte{8, 10, 0, 0, 1, 1, 4, 0, 0, 5, 0, 0, 0, 7, 0, 1, 0, 2, 4, 0, 1, 5, 1, 0, 0, 9, 1}) // data in flight, its path deleted
	f.Fuzz(fuzzAsconf)
}

// fuzzAsconf runs one input of FuzzAssociationAsconf.
func fuzzAsconf(t *testing.T, in []byte) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, heartbeatConfig(), addrA, addrA2)
		a, s := r.connectAuth()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		drained := drainAll(ctx, a)
		go func() {
			for range a.Events() {
			}
		}()
		fz := &asconfFuzzer{fuzzPeer: fuzzPeer{r: r.rig, in: in}, ar: r, s: s, a: a, sent: map[uint32]bool{}}
		fz.run()
		time.Sleep(time.Minute) // let every timer run
		fz.settle()
		fz.checkWire()
		select {
		case <-a.Done():
			if a.Err() == nil {
				t.Fatalf("association ended without a reason, in state %s", a.Stats().State)
			}
		default:
			fz.checkAlive()
		}
		checkPinsAfterEnd(t, a, drained)
	})
}

// The fuzzer's address pools: sources of the peer's packets, destinations
// among ours, and addresses for requests and Address Parameters.
var (
	fuzzSources = []netip.Addr{addrB, addrB2, addrB3}
	fuzzDests   = []netip.Addr{addrA, addrA2}
	fuzzPool    = []netip.Addr{
		addrB, addrB2, addrB3, wildcard4, addrA, addrA2,
		netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("224.0.0.9"),
		netip.IPv6Unspecified(), netip.MustParseAddr("2001:db8::7"), netip.MustParseAddr("::ffff:192.0.2.21"),
	}
)

// asconfFuzzer turns fuzz input into ASCONFs from the authenticated peer.
type asconfFuzzer struct {
	fuzzPeer // the input, and the discard of FuzzAssociation
	ar       *authRig
	s        *authSession
	a        *Association
	params   wire.Params     // the requests of the ASCONF being built
	pending  []chunk         // the ASCONFs of the packet being built
	sent     map[uint32]bool // serials of every ASCONF sent
	last     uint32          // the serial of the last ASCONF sent
	answered int             // HEARTBEATs of the log answered so far
	packets  int
}

// maxFuzzPackets bounds the packets of one input.
const maxFuzzPackets = 64

func (f *asconfFuzzer) pick(pool []netip.Addr) netip.Addr { return pool[int(f.byte())%len(pool)] }

func (f *asconfFuzzer) run() {
	for len(f.in) > 0 && f.packets < maxFuzzPackets && !f.done() {
		switch f.byte() % 10 {
		case 0, 1:
			kind := []wire.ParamType{wire.ParamAddIP, wire.ParamDeleteIP, wire.ParamSetPrimary}[f.byte()%3]
			addr := f.pick(fuzzPool)
			f.params = wire.AppendParam(f.params, &wire.AddressRequestParam{Type: kind, CorrelationID: uint32(f.byte()), Address: addr})
		case 2:
			// Any type, the four action bits included: mostly unknown
			// ones, sometimes a known type with a body of any length.
			typ := wire.ParamType(uint16(f.byte())<<8 | uint16(f.byte()))
			f.params = wire.AppendParam(f.params, &wire.RawParam{Type: typ, Value: f.bytes(int(f.byte() % 24))})
		case 3:
			f.malformed()
		case 4:
			f.closeAsconf()
		case 5:
			f.closeAsconf()
			f.send()
		case 6:
			time.Sleep(time.Duration(f.byte()) * 10 * time.Millisecond)
			f.settle()
		case 7:
			f.answerHeartbeats()
		case 8:
			// Data in flight when paths come and go.
			if err := f.a.SendMsg(context.Background(), make([]byte, 1+int(f.byte())*8), SendInfo{}); err != nil && !f.done() {
				f.ar.t.Fatalf("SendMsg: %v", err)
			}
			f.settle()
		case 9:
			f.sackAll()
		}
	}
	f.closeAsconf()
	f.send()
	f.settle()
}

// malformed appends a request whose outer or nested length is off.
func (f *asconfFuzzer) malformed() {
	for len(f.params)%4 != 0 {
		f.params = append(f.params, 0)
	}
	start := len(f.params)
	f.params = wire.AppendParam(f.params, addIP(uint32(f.byte()), f.pick(fuzzPool)))
	at := start + 2 // the request's length
	if f.byte()%2 == 1 {
		at = start + 10 // the nested Address Parameter's length
	}
	f.params[at+1] += f.byte()
}

// closeAsconf turns the requests gathered so far into an ASCONF of the
// packet being built, with a serial that is mostly the next one, else the
// last one again, an old one or one ahead.
func (f *asconfFuzzer) closeAsconf() {
	if len(f.params) == 0 {
		return
	}
	serial := f.s.serial
	switch m := f.byte(); m % 8 {
	case 5:
		serial = f.last
	case 6:
		serial = f.last - uint32(m%3)
	case 7:
		serial = f.s.serial + 1 + uint32(m%3)
	}
	if serial == f.s.serial {
		f.s.serial++
	}
	f.pending = append(f.pending, &wire.Asconf{Serial: serial, Address: f.pick(fuzzPool), Params: f.params})
	f.sent[serial] = true
	f.last = serial
	f.params = nil
}

// send sends the packet being built: from one of the peer's addresses to
// one of ours, mostly signed, else unsigned or with a bad HMAC.
func (f *asconfFuzzer) send() {
	if len(f.pending) == 0 {
		return
	}
	from, to := f.pick(fuzzSources), f.pick(fuzzDests)
	mode := f.byte() % 8
	chunks := f.pending
	if mode != 6 {
		chunks = append([]chunk{authHere}, chunks...)
	}
	b := f.s.seal(f.ar.t, f.s.epTag, chunks...)
	if mode == 7 {
		b[authAt(f.ar.t, b)+wire.AuthHMACOffset] ^= 1
	}
	f.ar.sendRaw(from, to, b)
	f.pending = nil
	f.packets++
	f.settle()
}

// settle lets the association process what was sent, checks that it kept
// a path, and drops what it sent back: the peer checked that each packet
// parses, and checkWire looks at them all from the log.
func (f *asconfFuzzer) settle() {
	synctest.Wait()
	f.discard()
	if len(f.a.Paths()) == 0 { // after the end, as the association left them
		f.ar.t.Fatal("the association has no path left")
	}
}

// answerHeartbeats answers the HEARTBEATs the endpoint sent so far.
func (f *asconfFuzzer) answerHeartbeats() {
	synctest.Wait()
	f.discard()
	hbs := f.ar.wire.carrying(wire.TypeHeartbeat)
	for _, wp := range hbs[f.answered:] {
		if f.done() {
			return
		}
		f.ar.answerHeartbeat(f.s, wp)
		f.packets++
	}
	f.answered = len(hbs)
	f.settle()
}

// sackAll acknowledges every DATA chunk the endpoint sent so far, from
// one of the peer's addresses.
func (f *asconfFuzzer) sackAll() {
	var cum uint32
	seen := false
	for _, wp := range f.ar.wire.carrying(wire.TypeData) {
		for _, c := range wp.chunks() {
			var d wire.Data
			if c.Type() == wire.TypeData && d.Decode(c) == nil && (!seen || int32(d.TSN-cum) > 0) {
				cum, seen = d.TSN, true
			}
		}
	}
	if !seen || f.done() {
		return
	}
	f.ar.sendRaw(f.pick(fuzzSources), addrA, f.s.seal(f.ar.t, f.s.epTag, sack(cum)))
	f.packets++
	f.settle()
}

func (f *asconfFuzzer) done() bool {
	select {
	case <-f.a.Done():
		return true
	default:
		return false
	}
}

// checkWire checks every packet the endpoint sent: those the peer asked to
// be authenticated behind an AUTH chunk that verifies, and each ASCONF-ACK
// answering a serial that was sent, with responses that parse. ABORTs with
// the T bit answer packets out of the blue, after the association ended:
// there is nothing to sign them with.
func (f *asconfFuzzer) checkWire() {
	t := f.ar.t
	for _, wp := range f.ar.wire.all() {
		cs := wp.chunks()
		if len(cs) > 0 && cs[0].Type() == wire.TypeAbort && tBit(cs[0]) {
			continue
		}
		f.s.checkAuth(t, wp)
		for _, c := range cs {
			if c.Type() != wire.TypeAsconfAck {
				continue
			}
			var ack wire.AsconfAck
			if err := ack.Decode(c); err != nil {
				t.Fatalf("ASCONF-ACK: %v", err)
			}
			if !f.sent[ack.Serial] {
				t.Fatalf("ASCONF-ACK for serial %d, which the peer never sent", ack.Serial)
			}
			it := ack.Params.Iter()
			for p, ok := it.Next(); ok; p, ok = it.Next() {
				var err error
				switch p.Type() {
				case wire.ParamSuccessIndication:
					err = new(wire.SuccessIndicationParam).Decode(p)
				case wire.ParamErrorCauseIndication:
					err = new(wire.ErrorCauseIndicationParam).Decode(p)
				default:
					t.Fatalf("ASCONF-ACK response of type %s", p.Type())
				}
				if err != nil {
					t.Fatalf("ASCONF-ACK response: %v", err)
				}
			}
		}
	}
}

// checkAlive checks that the association still has a path and answers a
// HEARTBEAT from the first one.
func (f *asconfFuzzer) checkAlive() {
	t := f.ar.t
	paths := f.a.Paths()
	if len(paths) == 0 {
		t.Fatal("a live association without a path")
	}
	f.discard()
	from := paths[0].Remote.Addr()
	f.ar.sendRaw(from, addrA, f.s.seal(t, f.s.epTag, heartbeat("alive?")))
	for _, pk := range f.r.peer.collect(time.Millisecond) {
		var ack wire.HeartbeatAck
		if c := pk.find(wire.TypeHeartbeatAck); c != nil && ack.Decode(c) == nil && string(ack.Info) == "alive?" {
			f.s.checkAuth(t, f.ar.wire.match(t, pk))
			return
		}
	}
	t.Fatalf("a live association (%s, paths %v) did not answer a HEARTBEAT from %v", f.a.Stats().State, pathsOf(f.a), from)
}
