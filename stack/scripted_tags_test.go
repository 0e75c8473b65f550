package stack

// Out-of-the-blue packets (RFC 9260 section 8.4), verification tags
// (section 8.5) and unknown chunk types (section 3.2).

import (
	"bytes"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// ootbTag is the verification tag of out-of-the-blue packets.
const ootbTag = 0xdeadbeef

// Every rule of section 8.4 for a packet that matches no association.
func TestOutOfTheBlue(t *testing.T) {
	staleCookie := &wire.ErrorChunk{Causes: wire.AppendCause(nil, &wire.StaleCookieCause{StalenessMicros: 1000})}
	otherError := &wire.ErrorChunk{Causes: wire.AppendCause(nil, &wire.InvalidStreamCause{Stream: 3})}
	data := &wire.Data{Flags: whole, TSN: 77, Payload: []byte("who are you?")}
	cases := []struct {
		name   string
		chunks []chunk
		want   wire.ChunkType // answer, with the T bit and the tag received; 0: none
	}{
		{"DATA", []chunk{data}, wire.TypeAbort},
		{"SACK", []chunk{sack(5)}, wire.TypeAbort},
		{"HEARTBEAT", []chunk{&wire.Heartbeat{Info: []byte("hb")}}, wire.TypeAbort},
		{"INIT ACK", []chunk{peerInitAck(&session{tag: 9, tsn: 1, cookie: []byte("c")})}, wire.TypeAbort},
		{"ERROR other than Stale Cookie", []chunk{otherError}, wire.TypeAbort},
		{"SHUTDOWN", []chunk{&wire.Shutdown{CumTSNAck: 3}}, wire.TypeAbort},
		{"ABORT", []chunk{&wire.Abort{}}, 0},
		{"ABORT with T bit", []chunk{&wire.Abort{TagReflected: true}}, 0},
		{"DATA then ABORT", []chunk{data, &wire.Abort{}}, 0},
		{"SHUTDOWN ACK", []chunk{&wire.ShutdownAck{}}, wire.TypeShutdownComplete},
		{"SHUTDOWN COMPLETE", []chunk{&wire.ShutdownComplete{}}, 0},
		{"COOKIE ACK", []chunk{&wire.CookieAck{}}, 0},
		{"ERROR Stale Cookie", []chunk{staleCookie}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				r.peer.send(ootbTag, tc.chunks...)
				if tc.want == 0 {
					r.peer.expectSilence(time.Minute)
				} else {
					pk := r.peer.expect(ootbTag, tc.want)
					if !tBit(pk.chunks[0]) {
						t.Errorf("%v answers an OOTB packet without the T bit", tc.want)
					}
				}
				if n := r.associations(); n != 0 {
					t.Errorf("OOTB packet created %d association(s)", n)
				}
			})
		})
	}
}

// A SHUTDOWN ACK while the association is being set up is treated as out
// of the blue: SHUTDOWN COMPLETE with the T bit and the tag received
// (sections 8.4 item 5 and 8.5.1 E); the handshake goes on.
func TestShutdownAckDuringHandshake(t *testing.T) {
	for _, st := range []string{"COOKIE-WAIT", "COOKIE-ECHOED"} {
		t.Run(st, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				dialed := r.dial()
				init := chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit))
				s := &session{tag: peerTag, epTag: init.InitiateTag, tsn: peerTSN, cookie: []byte("cookie")}
				if st == "COOKIE-ECHOED" {
					r.peer.send(s.epTag, peerInitAck(s))
					r.peer.expect(s.tag, wire.TypeCookieEcho)
				}
				r.peer.send(s.epTag, &wire.ShutdownAck{})
				pk := r.peer.expect(s.epTag, wire.TypeShutdownComplete)
				if !tBit(pk.chunks[0]) {
					t.Error("SHUTDOWN COMPLETE without the T bit")
				}
				if st == "COOKIE-WAIT" {
					r.peer.send(s.epTag, peerInitAck(s))
					r.peer.expect(s.tag, wire.TypeCookieEcho)
				}
				r.peer.send(s.epTag, &wire.CookieAck{})
				if res := r.dialed(dialed); res.err != nil {
					t.Errorf("Dial: %v", res.err)
				}
			})
		})
	}
}

// ABORTs answering OOTB packets are rate limited (section 8.4 and 14): a
// burst gets at most ootbBurst answers; the allowance comes back with time.
func TestOutOfTheBlueRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		burst := func() int {
			for i := range 10 * ootbBurst {
				r.peer.send(ootbTag+uint32(i), &wire.Data{Flags: whole, TSN: 1, Payload: []byte("x")})
			}
			n := 0
			for _, pk := range r.peer.collect(time.Millisecond) {
				if pk.find(wire.TypeAbort) == nil {
					t.Fatalf("unexpected %v", pk)
				}
				n++
			}
			return n
		}
		if n := burst(); n == 0 || n > ootbBurst {
			t.Errorf("a burst of %d OOTB packets got %d ABORTs, want 1 to %d", 10*ootbBurst, n, ootbBurst)
		}
		time.Sleep(time.Second)
		if n := burst(); n == 0 {
			t.Error("no ABORT a second after a burst: the limit never recovers")
		}
	})
}

// A packet with a wrong verification tag, from the association's peer, is
// silently discarded and counted (section 8.5): no answer, no effect.
func TestWrongVerificationTagDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		d := s.data(0, "forged", wire.FlagImmediate)
		r.peer.send(s.epTag^0x01010101, d)
		r.peer.expectSilence(time.Second)
		if st := a.Stats(); st.PacketsDropped == 0 {
			t.Errorf("packet with a wrong tag not counted in PacketsDropped (%+v)", st.AssocStats)
		}
		// The DATA was not processed: the same TSN is new with the right tag.
		r.peer.send(s.epTag, d)
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		if sk.CumTSN != d.TSN || len(sk.Dups) != 0 {
			t.Errorf("SACK cum %d dups %v, want cum %d and no duplicates", sk.CumTSN, sk.Dups, d.TSN)
		}
	})
}

// A packet with the right tag from another SCTP port than the peer's does
// not belong to the association (sections 8.5 and 1.5.2).
func TestWrongSourcePortDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		_, s := r.connect()
		d := s.data(0, "wrong port", wire.FlagImmediate)
		r.peer.sendHeader(wire.Header{SrcPort: peerPort + 1, DstPort: sutPort, VerificationTag: s.epTag}, d)
		for _, pk := range r.peer.collect(time.Second) {
			if pk.dstPort == peerPort {
				t.Errorf("the association answered a packet from another port: %v", pk)
			}
		}
		r.peer.send(s.epTag, d)
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		if sk.CumTSN != d.TSN || len(sk.Dups) != 0 {
			t.Errorf("SACK cum %d dups %v, want cum %d and no duplicates", sk.CumTSN, sk.Dups, d.TSN)
		}
	})
}

// tagCase is one way to tag an ABORT or SHUTDOWN COMPLETE.
type tagCase struct {
	name     string
	tBit     bool
	tag      func(s *session) uint32
	accepted bool
}

// The T-bit rule of section 8.5.1 B and C: without the T bit the packet
// must carry the receiver's tag, with it the sender's own.
var tagCases = []tagCase{
	{"own tag", false, func(s *session) uint32 { return s.epTag }, true},
	{"T bit, peer's tag", true, func(s *session) uint32 { return s.tag }, true},
	{"T bit, own tag", true, func(s *session) uint32 { return s.epTag }, false},
	{"peer's tag", false, func(s *session) uint32 { return s.tag }, false},
	{"other tag", false, func(*session) uint32 { return ootbTag }, false},
	{"T bit, other tag", true, func(*session) uint32 { return ootbTag }, false},
}

func TestAbortVerificationTag(t *testing.T) {
	for _, tc := range tagCases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				r.peer.send(tc.tag(s), &wire.Abort{TagReflected: tc.tBit})
				if !tc.accepted {
					r.peer.expectSilence(time.Second)
					r.expectData(s)
					return
				}
				var ae *AbortError
				if err := waitDone(t, a); !errors.As(err, &ae) || !ae.Remote {
					t.Errorf("association ended with %v, want an AbortError from the peer", err)
				}
				r.peer.expectSilence(time.Second)
			})
		})
	}
}

func TestShutdownCompleteVerificationTag(t *testing.T) {
	for _, tc := range tagCases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				r.peerShutdown(s)
				r.peer.send(tc.tag(s), &wire.ShutdownComplete{TagReflected: tc.tBit})
				if !tc.accepted {
					// Still in SHUTDOWN-ACK-SENT: T2 sends the SHUTDOWN ACK again.
					pk := r.peer.await(s.tag, wire.TypeShutdownAck)
					if got := stateOf(a); got != "SHUTDOWN-ACK-SENT" {
						t.Errorf("association %s after the ignored SHUTDOWN COMPLETE (%v)", got, pk)
					}
					return
				}
				if err := waitDone(t, a); err != nil {
					t.Errorf("association ended with %v, want a graceful close", err)
				}
				r.peer.expectSilence(time.Minute)
			})
		})
	}
}

// Unknown chunk types follow their action bits (section 3.2). Each packet
// carries the unknown chunk, then a DATA chunk: a SACK for the DATA shows
// that processing went on.
func TestUnknownChunkActions(t *testing.T) {
	cases := []struct {
		name   string
		typ    wire.ChunkType
		report bool
		skip   bool
	}{
		{"stop", 0x3E, false, false},
		{"stop and report", 0x7E, true, false},
		{"skip", 0xBE, false, true},
		{"skip and report", 0xFE, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				unknown := (&wire.Raw{Type: tc.typ, Flags: 0x5a, Value: []byte{1, 2, 3}}).Append(nil)
				d := s.data(0, "after the unknown chunk", 0)
				r.peer.send(s.epTag, rawChunk(unknown), d)

				var reported []byte
				acked := false
				for _, pk := range r.peer.collect(time.Second) {
					if pk.vtag != s.tag {
						t.Errorf("wrong tag on %v", pk)
					}
					for _, c := range pk.chunks {
						switch c.Type() {
						case wire.TypeError:
							reported = causeOf[wire.UnrecognizedChunkCause](t, c).Chunk
						case wire.TypeSack:
							acked = acked || chunkOf[wire.Sack](t, packet{chunks: []wire.Chunk{c}}).CumTSN == d.TSN
						default:
							t.Errorf("unexpected %v", pk)
						}
					}
				}
				if want := unknown[:7]; tc.report && !bytes.Equal(reported, want) {
					t.Errorf("reported unrecognized chunk %x, want %x", reported, want)
				} else if !tc.report && reported != nil {
					t.Errorf("reported %x, want no report", reported)
				}
				if acked != tc.skip {
					t.Errorf("DATA after the unknown chunk acknowledged: %v, want %v", acked, tc.skip)
				}
				if got := stateOf(a); got != "ESTABLISHED" {
					t.Errorf("association %s, want ESTABLISHED", got)
				}
			})
		})
	}
}
