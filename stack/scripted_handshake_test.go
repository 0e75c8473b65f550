package stack

// Association setup (RFC 9260 section 5.1) against a scripted peer: the
// stateless server side, malformed INIT and INIT ACK, lost handshake
// chunks.

import (
	"errors"
	"net"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// The server keeps no state until a valid COOKIE ECHO (section 5.1.3).
func TestHandshakeStatelessServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		ack, s := r.initAck(peerInit(peerTag, peerTSN))
		if ack.InitiateTag == 0 {
			t.Error("INIT ACK with initiate tag 0")
		}
		if n := r.associations(); n != 0 {
			t.Fatalf("%d association(s) exist after INIT; the server must keep no state before COOKIE ECHO", n)
		}
		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		r.peer.expect(s.tag, wire.TypeCookieAck)
		a := r.accept()
		if got := stateOf(a); got != "ESTABLISHED" {
			t.Errorf("accepted association is %s, want ESTABLISHED", got)
		}
		if n := r.associations(); n != 1 {
			t.Errorf("%d associations after COOKIE ECHO, want 1", n)
		}
	})
}

// A COOKIE ECHO whose cookie was not made by the endpoint, or that comes
// with another tag than the cookie's, is silently discarded (section
// 5.1.5).
func TestHandshakeForgedCookie(t *testing.T) {
	cases := []struct {
		name   string
		forge  func(cookie []byte) []byte
		badTag bool
	}{
		{"signature byte flipped", func(c []byte) []byte { c[len(c)-1] ^= 1; return c }, false},
		{"body byte flipped", func(c []byte) []byte { c[20] ^= 0x80; return c }, false}, // our initial TSN
		{"truncated", func(c []byte) []byte { return c[:len(c)-1] }, false},
		{"empty", func([]byte) []byte { return nil }, false},
		{"foreign verification tag", func(c []byte) []byte { return c }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				_, s := r.initAck(peerInit(peerTag, peerTSN))
				vtag := s.epTag
				if tc.badTag {
					vtag ^= 0xffff
				}
				r.peer.send(vtag, &wire.CookieEcho{Cookie: tc.forge(slices.Clone(s.cookie))})
				r.peer.expectSilence(time.Minute)
				if n := r.associations(); n != 0 {
					t.Fatalf("a forged cookie created %d association(s)", n)
				}
				// The genuine cookie still works: the silence was the forgery's.
				r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
				r.peer.expect(s.tag, wire.TypeCookieAck)
			})
		})
	}
}

// A cookie past its lifetime is answered with ERROR (Stale Cookie) and
// creates nothing (section 5.1.5 step 3).
func TestHandshakeStaleCookie(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.CookieLifetime = time.Second
		r := newRig(t, cfg)
		_, s := r.initAck(peerInit(peerTag, peerTSN))
		time.Sleep(1500 * time.Millisecond) // the cookie is now 500 ms stale
		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		pk := r.peer.expect(s.tag, wire.TypeError)
		stale := causeOf[wire.StaleCookieCause](t, pk.find(wire.TypeError))
		if got := time.Duration(stale.StalenessMicros) * time.Microsecond; got < 499*time.Millisecond || got > 501*time.Millisecond {
			t.Errorf("measure of staleness %v, want 500ms", got)
		}
		if n := r.associations(); n != 0 {
			t.Errorf("a stale cookie created %d association(s)", n)
		}
		r.peer.expectSilence(time.Minute)
	})
}

// INITs that must be discarded or aborted (sections 3.3.2, 5.1, 6.10 and
// 8.5.1 A). An ABORT answering an INIT carries the INIT's initiate tag and
// no T bit (section 8.4 item 3).
func TestInitRejected(t *testing.T) {
	cases := []struct {
		name      string
		vtag      uint32
		mutate    func(*wire.Init)
		bundle    chunk          // sent after the INIT in the same packet
		wantCause wire.CauseCode // 0: silently discarded
	}{
		{name: "initiate tag 0", mutate: func(i *wire.Init) { i.InitiateTag = 0 }},
		{name: "nonzero verification tag", vtag: 0x1234},
		{name: "bundled with another chunk", bundle: &wire.CookieAck{}},
		{name: "zero outbound streams", mutate: func(i *wire.Init) { i.OutStreams = 0 }, wantCause: wire.CauseInvalidMandatoryParam},
		{name: "zero inbound streams", mutate: func(i *wire.Init) { i.InStreams = 0 }, wantCause: wire.CauseInvalidMandatoryParam},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				init := peerInit(peerTag, peerTSN)
				if tc.mutate != nil {
					tc.mutate(init)
				}
				chunks := []chunk{init}
				if tc.bundle != nil {
					chunks = append(chunks, tc.bundle)
				}
				r.peer.send(tc.vtag, chunks...)
				if tc.wantCause == 0 {
					r.peer.expectSilence(time.Minute)
				} else {
					pk := r.peer.expect(init.InitiateTag, wire.TypeAbort)
					if ab := pk.find(wire.TypeAbort); tBit(ab) {
						t.Error("ABORT answering an INIT has the T bit set")
					}
					if causes := causesOf(t, pk.find(wire.TypeAbort)); len(causes) != 1 || causes[0].Code() != tc.wantCause {
						t.Errorf("ABORT causes %v, want [%v]", codes(causes), tc.wantCause)
					}
				}
				if n := r.associations(); n != 0 {
					t.Errorf("rejected INIT created %d association(s)", n)
				}
			})
		})
	}
}

func codes(cs []wire.Cause) []wire.CauseCode {
	out := make([]wire.CauseCode, len(cs))
	for i, c := range cs {
		out[i] = c.Code()
	}
	return out
}

// Unknown INIT parameters follow their action bits (section 3.2.1); those
// to report come back as Unrecognized Parameter in the INIT ACK (section
// 5.1). The INIT carries the unknown parameter under test, then a second
// unknown one that says "skip and report", which shows whether processing
// went on.
func TestInitUnknownParameters(t *testing.T) {
	const marker = wire.ParamType(0xFFFE) // skip and report
	cases := []struct {
		name string
		typ  wire.ParamType
		want []wire.ParamType // reported, in order
	}{
		{"stop", 0x3FFE, nil},
		{"stop and report", 0x7FFE, []wire.ParamType{0x7FFE}},
		{"skip", 0xBFFE, []wire.ParamType{marker}},
		{"skip and report", 0xCFFE, []wire.ParamType{0xCFFE, marker}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				init := peerInit(peerTag, peerTSN)
				init.Params = wire.AppendParam(init.Params, &wire.RawParam{Type: tc.typ, Value: []byte{1, 2, 3}})
				init.Params = wire.AppendParam(init.Params, &wire.RawParam{Type: marker, Value: []byte{4, 5, 6, 7}})
				ack, s := r.initAck(init)
				var got []wire.ParamType
				it := ack.Params.Iter()
				for p, ok := it.Next(); ok; p, ok = it.Next() {
					if p.Type() != wire.ParamUnrecognized {
						continue
					}
					var u wire.UnrecognizedParam
					if err := u.Decode(p); err != nil {
						t.Fatalf("Unrecognized Parameter: %v", err)
					}
					got = append(got, u.Param.Type())
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("INIT ACK reports unrecognized parameters %v, want %v", got, tc.want)
				}
				// The INIT was processed: the handshake completes.
				r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
				r.peer.expect(s.tag, wire.TypeCookieAck)
			})
		})
	}
}

// An INIT ACK that cannot be used aborts the association being set up
// (section 3.3.3); the ABORT carries the INIT ACK's initiate tag.
func TestInitAckRejected(t *testing.T) {
	cases := []struct {
		name      string
		mutate    func(*wire.InitAck)
		wantCause wire.CauseCode // 0: the ABORT is optional
	}{
		{"no state cookie", func(a *wire.InitAck) { a.Params = nil }, wire.CauseMissingMandatoryParam},
		{"zero inbound streams", func(a *wire.InitAck) { a.InStreams = 0 }, wire.CauseInvalidMandatoryParam},
		{"zero initiate tag", func(a *wire.InitAck) { a.InitiateTag = 0 }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				dialed := r.dial()
				init := chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit))
				s := &session{tag: peerTag, tsn: peerTSN, cookie: []byte("cookie")}
				ack := peerInitAck(s)
				tc.mutate(ack)
				r.peer.send(init.InitiateTag, ack)
				res := r.dialed(dialed)
				if !errors.Is(res.err, net.ErrClosed) {
					t.Errorf("Dial returned %v, want an error that is net.ErrClosed", res.err)
				}
				if tc.wantCause == 0 {
					return
				}
				pk := r.peer.expect(ack.InitiateTag, wire.TypeAbort)
				ab := pk.find(wire.TypeAbort)
				if tBit(ab) {
					t.Error("ABORT has the T bit set")
				}
				if causes := causesOf(t, ab); len(causes) != 1 || causes[0].Code() != tc.wantCause {
					t.Fatalf("ABORT causes %v, want [%v]", codes(causes), tc.wantCause)
				}
				if tc.wantCause == wire.CauseMissingMandatoryParam {
					missing := causeOf[wire.MissingParamCause](t, ab)
					if !slices.Equal(missing.Types, []wire.ParamType{wire.ParamStateCookie}) {
						t.Errorf("missing parameters %v, want [State Cookie]", missing.Types)
					}
				}
			})
		})
	}
}

// Lost INIT and COOKIE ECHO are retransmitted on T1 from RTO.Initial,
// doubling up to RTO.Max, and the handshake fails after
// Max.Init.Retransmits retransmissions (sections 5.1 C, 5.1 D and 6.3.3).
func TestHandshakeRetransmission(t *testing.T) {
	const s = time.Second
	cases := []struct {
		name     string
		lose     wire.ChunkType
		answerAt int             // transmission answered, 1-based; 0: none
		gaps     []time.Duration // between successive transmissions
		giveUp   time.Duration   // from the last transmission to failure
	}{
		{"INIT answered at last", wire.TypeInit, 4, []time.Duration{1 * s, 2 * s, 4 * s}, 0},
		{"INIT never answered", wire.TypeInit, 0, []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s}, 60 * s},
		{"COOKIE ECHO answered at last", wire.TypeCookieEcho, 3, []time.Duration{1 * s, 2 * s}, 0},
		{"COOKIE ECHO never answered", wire.TypeCookieEcho, 0, []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s}, 60 * s},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				dialed := r.dial()
				s := &session{tag: peerTag, tsn: peerTSN, cookie: []byte("cookie")}
				var sent []time.Time
				var first []byte // the first transmission's chunk
				for {
					var pk packet
					var ok bool
					select {
					case pk = <-r.peer.in:
						ok = true
					case res := <-dialed:
						if tc.answerAt != 0 {
							t.Fatalf("Dial returned %v before the handshake completed", res.err)
						}
						if !errors.Is(res.err, ErrHandshakeTimeout) {
							t.Errorf("Dial returned %v, want ErrHandshakeTimeout", res.err)
						}
						checkGaps(t, tc.lose, sent, tc.gaps)
						if got := time.Since(sent[len(sent)-1]); got != tc.giveUp {
							t.Errorf("gave up %v after the last %v, want %v", got, tc.lose, tc.giveUp)
						}
						return
					case <-time.After(waitLimit):
					}
					if !ok {
						t.Fatal("neither a packet nor the end of Dial")
					}
					c := pk.chunks[0]
					if c.Type() == wire.TypeInit && tc.lose == wire.TypeCookieEcho {
						s.epTag = chunkOf[wire.Init](t, pk).InitiateTag
						r.peer.send(s.epTag, peerInitAck(s))
						continue
					}
					if c.Type() != tc.lose {
						t.Fatalf("unexpected %v", pk)
					}
					if first == nil {
						first = slices.Clone(c)
					} else if string(c) != string(first) {
						t.Errorf("retransmitted %v differs from the first transmission", c.Type())
					}
					sent = append(sent, pk.at)
					if len(sent) != tc.answerAt {
						continue
					}
					if tc.lose == wire.TypeInit {
						s.epTag = chunkOf[wire.Init](t, pk).InitiateTag
						r.peer.send(s.epTag, peerInitAck(s))
						r.peer.expect(s.tag, wire.TypeCookieEcho)
					}
					r.peer.send(s.epTag, &wire.CookieAck{})
					if res := r.dialed(dialed); res.err != nil {
						t.Fatalf("Dial: %v", res.err)
					}
					checkGaps(t, tc.lose, sent, tc.gaps)
					return
				}
			})
		})
	}
}

// checkGaps compares the intervals between transmissions with want.
func checkGaps(t *testing.T, what wire.ChunkType, sent []time.Time, want []time.Duration) {
	t.Helper()
	var got []time.Duration
	for i := 1; i < len(sent); i++ {
		got = append(got, sent[i].Sub(sent[i-1]))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d %v transmissions %v apart, want %d, %v apart", len(sent), what, got, len(want)+1, want)
	}
}

// A peer that missed the COOKIE ACK sends its COOKIE ECHO again: the
// endpoint answers with another COOKIE ACK and keeps the one association
// (section 5.2.4 case D). The tags of the cookie match the association's,
// so the cookie counts as valid even past its lifetime (section 5.2.4
// step 3).
func TestDuplicateCookieEcho(t *testing.T) {
	cases := []struct {
		name  string
		delay time.Duration // between the two COOKIE ECHOs
	}{
		{"at once", 0},
		{"within the cookie lifetime", 5 * time.Second},
		{"past the cookie lifetime", 20 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := scriptedConfig()
				cfg.CookieLifetime = 10 * time.Second
				r := newRig(t, cfg)
				a, s := r.connect() // the peer "loses" this COOKIE ACK
				time.Sleep(tc.delay)
				r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie}, s.data(0, "after the duplicate", wire.FlagImmediate))
				pk := r.peer.expect(s.tag, wire.TypeCookieAck, wire.TypeSack)
				if got := chunkOf[wire.Sack](t, pk).CumTSN; got != s.tsn-1 {
					t.Errorf("SACK acknowledges %d, want the DATA bundled with the COOKIE ECHO, %d", got, s.tsn-1)
				}
				if n := r.associations(); n != 1 {
					t.Errorf("%d associations, want 1", n)
				}
				r.noneAccepted()
				if got := stateOf(a); got != "ESTABLISHED" {
					t.Errorf("association %s, want ESTABLISHED", got)
				}
				if st := a.Stats(); st.Restarts != 0 {
					t.Errorf("duplicate COOKIE ECHO counted as %d restart(s)", st.Restarts)
				}
			})
		})
	}
}
