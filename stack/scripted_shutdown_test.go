package stack

// Graceful shutdown (RFC 9260 section 9.2) against a scripted peer.

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// shutdownAsync starts a.Shutdown, waits until it is under way (blocked
// waiting for the close) and returns its result channel.
func shutdownAsync(a *Association) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.Shutdown(context.Background()) }()
	synctest.Wait()
	return ch
}

// shutdownResult waits for the result of shutdownAsync.
func shutdownResult(t *testing.T, ch <-chan error) error {
	t.Helper()
	err, ok := within(ch, waitLimit)
	if !ok {
		t.Fatal("Shutdown did not return")
	}
	return err
}

// We close, on an association we accepted or dialed: our data is
// acknowledged first, then SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE.
func TestShutdownLocal(t *testing.T) {
	for _, role := range []struct {
		name  string
		setUp func(*rig) (*Association, *session)
	}{
		{"accepted", (*rig).connect},
		{"dialed", (*rig).answerDial},
	} {
		t.Run(role.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := role.setUp(r)
				sendString(t, a, "last words")
				done := shutdownAsync(a)
				d := chunkOf[wire.Data](t, r.peer.expect(s.tag, wire.TypeData))
				if err := a.SendMsg(context.Background(), []byte("too late"), SendInfo{}); !errors.Is(err, ErrShutdown) {
					t.Errorf("SendMsg during shutdown: %v, want ErrShutdown", err)
				}
				// No SHUTDOWN while the DATA is unacknowledged.
				r.peer.expectSilence(DefaultRTOInitial / 2)
				r.peer.send(s.epTag, sack(d.TSN))
				sd := chunkOf[wire.Shutdown](t, r.peer.expect(s.tag, wire.TypeShutdown))
				if sd.CumTSNAck != s.tsn-1 {
					t.Errorf("SHUTDOWN acknowledges %d, want %d", sd.CumTSNAck, s.tsn-1)
				}
				r.peer.send(s.epTag, &wire.ShutdownAck{})
				pk := r.peer.expect(s.tag, wire.TypeShutdownComplete)
				if tBit(pk.chunks[0]) {
					t.Error("SHUTDOWN COMPLETE has the T bit set")
				}
				if err := shutdownResult(t, done); err != nil {
					t.Errorf("Shutdown: %v", err)
				}
				waitEvent(t, a, EventShutdownComplete)
				if err := a.Err(); err != nil {
					t.Errorf("Err after a graceful close: %v", err)
				}
			})
		})
	}
}

// The peer closes: after its SHUTDOWN the application can no longer send,
// reads what arrived and then io.EOF, and our outstanding data is still
// delivered before the SHUTDOWN ACK.
func TestShutdownRemote(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		sendString(t, a, "still in flight")
		d := chunkOf[wire.Data](t, r.peer.expect(s.tag, wire.TypeData))
		r.peer.send(s.epTag, s.data(0, "one", 0), s.data(1, "two", wire.FlagImmediate))
		r.peer.expect(s.tag, wire.TypeSack)

		// SHUTDOWN that does not yet acknowledge our DATA.
		r.peer.send(s.epTag, &wire.Shutdown{CumTSNAck: d.TSN - 1})
		r.peer.expectSilence(DefaultRTOInitial / 2)
		if err := a.SendMsg(context.Background(), []byte("too late"), SendInfo{}); !errors.Is(err, ErrShutdown) {
			t.Errorf("SendMsg after the peer's SHUTDOWN: %v, want ErrShutdown", err)
		}
		for _, want := range []string{"one", "two"} {
			if msg, err := recvString(t, a); msg != want || err != nil {
				t.Errorf("RecvMsg = %q, %v; want %q", msg, err, want)
			}
		}
		if msg, err := recvString(t, a); err != io.EOF {
			t.Errorf("RecvMsg after the peer's data = %q, %v; want io.EOF", msg, err)
		}

		// Our DATA is acknowledged: now the SHUTDOWN ACK.
		r.peer.send(s.epTag, &wire.Shutdown{CumTSNAck: d.TSN})
		r.peer.expect(s.tag, wire.TypeShutdownAck)
		r.peer.send(s.epTag, &wire.ShutdownComplete{})
		if err := waitDone(t, a); err != nil {
			t.Errorf("association ended with %v, want a graceful close", err)
		}
		waitEvent(t, a, EventShutdownComplete)
	})
}

// Both sides close at once: SHUTDOWN crosses SHUTDOWN, both answer SHUTDOWN
// ACK, and the one that receives a SHUTDOWN ACK completes (section 9.2).
func TestShutdownSimultaneous(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, s, done := shutdownSent(t)
		r.peerShutdown(s)
		completeShutdown(t, r, s, done)
	})
}

// SHUTDOWN and SHUTDOWN ACK are retransmitted on T2-shutdown, from the
// path's RTO, doubling each time (section 9.2 and 6.3.3 E2).
func TestShutdownT2Retransmission(t *testing.T) {
	cases := []struct {
		name  string
		start func(r *rig, a *Association, s *session) // until the first SHUTDOWN or SHUTDOWN ACK
		want  wire.ChunkType
		end   func(r *rig, s *session)
	}{
		{
			name:  "SHUTDOWN",
			start: func(_ *rig, a *Association, _ *session) { shutdownAsync(a) },
			want:  wire.TypeShutdown,
			end:   func(r *rig, s *session) { r.peer.send(s.epTag, &wire.ShutdownAck{}) },
		},
		{
			name: "SHUTDOWN ACK",
			start: func(r *rig, _ *Association, s *session) {
				r.peer.send(s.epTag, &wire.Shutdown{CumTSNAck: s.epTSN - 1})
			},
			want: wire.TypeShutdownAck,
			end:  func(r *rig, s *session) { r.peer.send(s.epTag, &wire.ShutdownComplete{}) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				tc.start(r, a, s)
				var sent []time.Time
				for range 5 {
					sent = append(sent, r.peer.await(s.tag, tc.want).at)
				}
				const sec = time.Second
				checkGaps(t, tc.want, sent, []time.Duration{1 * sec, 2 * sec, 4 * sec, 8 * sec})
				tc.end(r, s)
				if err := waitDone(t, a); err != nil {
					t.Errorf("association ended with %v, want a graceful close", err)
				}
			})
		})
	}
}

// T5-shutdown-guard ends a shutdown the peer never answers, 5 x RTO.Max
// after the first SHUTDOWN, with an ABORT (section 9.2).
func TestShutdownGuardT5(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.AssocMaxRetrans = 1000 // T2 alone would never give up first
		r := newRig(t, cfg)
		a, s := r.connect()
		done := shutdownAsync(a)
		first := r.peer.expect(s.tag, wire.TypeShutdown).at
		for {
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatal("the shutdown never ended")
			}
			ab := pk.find(wire.TypeAbort)
			if ab == nil && pk.find(wire.TypeShutdown) != nil {
				continue
			}
			if pk.vtag != s.tag || ab == nil || tBit(ab) {
				t.Fatalf("got %v, want SHUTDOWN or ABORT without the T bit, tag %#x", pk, s.tag)
			}
			if got, want := pk.at.Sub(first), 5*DefaultRTOMax; got != want {
				t.Errorf("ABORT %v after the first SHUTDOWN, want %v", got, want)
			}
			break
		}
		if err := shutdownResult(t, done); !errors.Is(err, ErrShutdownTimeout) {
			t.Errorf("Shutdown returned %v, want ErrShutdownTimeout", err)
		}
	})
}

// In SHUTDOWN-SENT every packet with DATA is answered at once with a
// SHUTDOWN acknowledging it, and the data still reaches the application
// (section 9.2).
func TestDataInShutdownSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s, done := shutdownSent(t)
		time.Sleep(DefaultRTOInitial / 2)
		d := s.data(0, "before I go", 0)
		sent := time.Now()
		r.peer.send(s.epTag, d)
		got, ok := r.peer.next(waitLimit)
		if !ok {
			t.Fatal("no answer to DATA in SHUTDOWN-SENT")
		}
		sd := chunkOf[wire.Shutdown](t, got)
		if got.at != sent || sd.CumTSNAck != d.TSN {
			t.Errorf("%v %v after the DATA, acknowledging %d; want SHUTDOWN at once acknowledging %d", got, got.at.Sub(sent), sd.CumTSNAck, d.TSN)
		}
		if msg, err := recvString(t, a); msg != "before I go" || err != nil {
			t.Errorf("RecvMsg = %q, %v", msg, err)
		}
		completeShutdown(t, r, s, done)
	})
}

// Our close waits for the address change in flight: no SHUTDOWN while an
// ASCONF is unanswered, even with all data acknowledged, and the SHUTDOWN
// follows its ASCONF-ACK at once. A peer that saw the close first would
// otherwise keep the address we left as ours to the end.
func TestShutdownWaitsForASCONF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s, req := asconfInFlight(t)
		done := shutdownAsync(a)
		r.peer.expectSilence(DefaultRTOInitial / 2) // less than T4-RTO
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial})
		r.peer.await(s.tag, wire.TypeShutdown)
		completeShutdown(t, r.rig, s.session, done)
		if e := waitEvent(t, a, EventASCONF); e.Err != nil {
			t.Errorf("event %v, want success", e)
		}
	})
}

// The wait for an ASCONF in flight is bounded: a peer that acknowledges
// data but never answers the ASCONF gets its SHUTDOWN at the ASCONF's
// second retransmission, three RTOs after the close began.
func TestShutdownASCONFWaitBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s, _ := asconfInFlight(t)
		start := time.Now()
		done := shutdownAsync(a)
		for { // ASCONF retransmissions, 1 s and 3 s after the first
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatal("no SHUTDOWN")
			}
			if pk.find(wire.TypeShutdown) == nil {
				continue
			}
			if waited := pk.at.Sub(start); waited != asconfCloseWait*DefaultRTOInitial {
				t.Errorf("SHUTDOWN %v after the close began, want %v", waited, asconfCloseWait*DefaultRTOInitial)
			}
			break
		}
		completeShutdown(t, r.rig, s.session, done)
	})
}

// asconfInFlight sets up an association of ours whose ASCONF adding a
// second address is on its way, unanswered.
func asconfInFlight(t *testing.T) (*authRig, *Association, *authSession, *wire.Asconf) {
	t.Helper()
	r := newAuthRig(t, scriptedConfig())
	a, s := r.connectAuth()
	r.sut.AddAddr(addrA2)
	if err := a.AddLocalAddr(addrA2); err != nil {
		t.Fatal(err)
	}
	req, _ := r.expectAsconf(s, s.epTSN, false)
	return r, a, s, req
}

// shutdownSent connects a rig's endpoint to the scripted peer and starts
// our close, up to its SHUTDOWN.
func shutdownSent(t *testing.T) (*rig, *Association, *session, <-chan error) {
	t.Helper()
	r := newRig(t, scriptedConfig())
	a, s := r.connect()
	done := shutdownAsync(a)
	r.peer.expect(s.tag, wire.TypeShutdown)
	return r, a, s, done
}

// peerShutdown has the scripted peer close, acknowledging everything we
// sent, and checks our SHUTDOWN ACK: the endpoint is in SHUTDOWN-ACK-SENT.
func (r *rig) peerShutdown(s *session) {
	r.t.Helper()
	r.peer.send(s.epTag, &wire.Shutdown{CumTSNAck: s.epTSN - 1})
	r.peer.expect(s.tag, wire.TypeShutdownAck)
}

// completeShutdown answers our SHUTDOWN and checks the close completes.
func completeShutdown(t *testing.T, r *rig, s *session, done <-chan error) {
	t.Helper()
	r.peer.send(s.epTag, &wire.ShutdownAck{})
	r.peer.await(s.tag, wire.TypeShutdownComplete)
	if err := shutdownResult(t, done); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// In SHUTDOWN-ACK-SENT an ABORT with the T bit is the peer's answer out of
// the blue to a packet of ours that crossed its SHUTDOWN COMPLETE (say a
// heartbeat on another path): the peer completed, so the close is the
// graceful one. An ABORT of the peer's own, without the T bit, is still an
// abort.
func TestShutdownAckSentAbort(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reflected bool
		graceful  bool
	}{
		{"out of the blue", true, true},
		{"peer's own", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				r.peerShutdown(s)
				tag := s.epTag
				if tc.reflected {
					tag = s.tag // the tag of the packet answered
				}
				r.peer.send(tag, &wire.Abort{TagReflected: tc.reflected})
				err := waitDone(t, a)
				var ae *AbortError
				switch {
				case tc.graceful && err != nil:
					t.Errorf("association ended with %v, want a graceful close", err)
				case !tc.graceful && !(errors.As(err, &ae) && ae.Remote):
					t.Errorf("association ended with %v, want aborted by the peer", err)
				}
				if tc.graceful {
					waitEvent(t, a, EventShutdownComplete)
				}
			})
		})
	}
}

// Once our SHUTDOWN is out, neither heartbeats nor path MTU probes follow
// it: their answers could arrive after the SHUTDOWN COMPLETE and would
// then be out of the blue, drawing an ABORT from us.
func TestNoProbesInShutdownSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.HeartbeatInterval = time.Second
		cfg.PMTUFixed = false
		r := newRig(t, cfg)
		a, s := r.connect()
		done := shutdownAsync(a)
		for { // the search's first probe may precede it, unanswered
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatal("no SHUTDOWN")
			}
			if pk.find(wire.TypeShutdown) != nil {
				break
			}
		}
		for _, pk := range r.peer.collect(10 * time.Second) {
			if types := pk.types(); len(types) != 1 || types[0] != wire.TypeShutdown {
				t.Errorf("%v in SHUTDOWN-SENT, want only SHUTDOWN retransmissions", pk)
			}
		}
		completeShutdown(t, r, s, done)
	})
}

// A packet of an association that just closed gracefully, sent before the
// peer saw the close, is dropped and counted, not answered with an ABORT;
// a SHUTDOWN ACK still gets its SHUTDOWN COMPLETE. Later the same packet
// is out of the blue again.
func TestLatePacketAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, s, done := shutdownSent(t)
		completeShutdown(t, r, s, done)
		late := sack(s.epTSN - 1)
		r.peer.send(s.epTag, late)
		r.peer.expectSilence(time.Second)
		if n := r.ep.Stats().LateAfterClose; n != 1 {
			t.Errorf("LateAfterClose = %d, want 1", n)
		}
		r.peer.send(s.epTag, &wire.ShutdownAck{})
		if !tBit(r.peer.expect(s.epTag, wire.TypeShutdownComplete).chunks[0]) {
			t.Error("SHUTDOWN COMPLETE to a late SHUTDOWN ACK without the T bit")
		}

		time.Sleep(2 * DefaultRTOMax) // the longest the endpoint remembers
		r.peer.send(s.epTag, late)
		if !tBit(r.peer.expect(s.epTag, wire.TypeAbort).chunks[0]) {
			t.Error("ABORT without the T bit")
		}
	})
}

func TestEndedTagsBounded(t *testing.T) {
	var e endedTags
	now := time.Now()
	for tag := range uint32(endedTagsMax + 1) {
		e.add(tag+1, now.Add(time.Minute))
	}
	if e.recent(1, now) {
		t.Error("the oldest tag is still remembered past the limit")
	}
	if !e.recent(2, now) || !e.recent(endedTagsMax+1, now) {
		t.Error("a tag within the limit was forgotten")
	}
	if len(e.until) > endedTagsMax {
		t.Errorf("%d tags remembered, limit %d", len(e.until), endedTagsMax)
	}
	if e.recent(2, now.Add(time.Minute)) {
		t.Error("a tag is remembered past its time")
	}
}
