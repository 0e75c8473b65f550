package stack

// The data path against a scripted peer: DATA and SACK rules of RFC 9260
// section 6, delayed acknowledgement, zero window probing.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// A DATA chunk without user data aborts the association with No User Data
// (section 6.2).
func TestDataWithoutUserData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		d := s.data(0, "", 0)
		r.peer.send(s.epTag, d)
		pk := r.peer.expect(s.tag, wire.TypeAbort)
		ab := pk.find(wire.TypeAbort)
		if tBit(ab) {
			t.Error("ABORT has the T bit set")
		}
		if got := causeOf[wire.NoUserDataCause](t, ab).TSN; got != d.TSN {
			t.Errorf("No User Data cause names TSN %d, want %d", got, d.TSN)
		}
		if err := waitDone(t, a); err == nil {
			t.Error("association ended without an error")
		}
		waitEvent(t, a, EventCommLost)
	})
}

// DATA on a stream the association does not have is acknowledged, reported
// with ERROR "Invalid Stream Identifier" and dropped; an ERROR bundled with
// the SACK must follow it (section 6.5).
func TestDataOnInvalidStream(t *testing.T) {
	cases := []struct {
		name  string
		flags wire.DataFlags
	}{
		{"delayed SACK", 0},
		{"immediate SACK", wire.FlagImmediate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				d := s.data(peerStreams, "nowhere", tc.flags) // streams are 0 to peerStreams-1
				r.peer.send(s.epTag, d)
				var reported, acked bool
				for _, pk := range r.peer.collect(time.Second) {
					for i, c := range pk.chunks {
						switch c.Type() {
						case wire.TypeError:
							if got := causeOf[wire.InvalidStreamCause](t, c).Stream; got != d.Stream {
								t.Errorf("Invalid Stream Identifier cause names stream %d, want %d", got, d.Stream)
							}
							if pk.find(wire.TypeSack) != nil && !slices.Contains(pk.types()[:i], wire.TypeSack) {
								t.Errorf("ERROR bundled before the SACK: %v", pk)
							}
							reported = true
						case wire.TypeSack:
							if got := chunkOf[wire.Sack](t, pk).CumTSN; got != d.TSN {
								t.Errorf("SACK acknowledges %d, want %d", got, d.TSN)
							}
							acked = true
						default:
							t.Errorf("unexpected %v", pk)
						}
					}
				}
				if !reported || !acked {
					t.Errorf("Invalid Stream Identifier reported: %v, TSN acknowledged: %v; want both", reported, acked)
				}
				if n := a.Stats().MessagesReceived; n != 0 {
					t.Errorf("%d message(s) delivered from an invalid stream", n)
				}
			})
		})
	}
}

// A duplicate DATA chunk is acknowledged at once, its TSN listed among the
// duplicates, and delivered only once (section 6.2).
func TestDuplicateData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		d := s.data(0, "twice", wire.FlagImmediate)
		r.peer.send(s.epTag, d)
		if sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack)); len(sk.Dups) != 0 {
			t.Fatalf("first SACK lists duplicates %v", sk.Dups)
		}
		d.Flags &^= wire.FlagImmediate // the duplicate alone must trigger the SACK
		sent := time.Now()
		r.peer.send(s.epTag, d)
		pk := r.peer.expect(s.tag, wire.TypeSack)
		if delay := pk.at.Sub(sent); delay != 0 {
			t.Errorf("SACK for the duplicate came after %v, want at once", delay)
		}
		if sk := chunkOf[wire.Sack](t, pk); sk.CumTSN != d.TSN || !slices.Equal(sk.Dups, []uint32{d.TSN}) {
			t.Errorf("SACK cum %d dups %v, want cum %d dups [%d]", sk.CumTSN, sk.Dups, d.TSN, d.TSN)
		}
		if msg, err := recvString(t, a); err != nil || msg != "twice" {
			t.Fatalf("RecvMsg = %q, %v", msg, err)
		}
		if st := a.Stats(); st.MessagesReceived != 1 || st.DuplicateTSNs != 1 {
			t.Errorf("%d messages received, %d duplicate TSNs; want 1 and 1", st.MessagesReceived, st.DuplicateTSNs)
		}
	})
}

// A SACK acknowledging a TSN never sent aborts with Protocol Violation.
func TestSackOfUnsentTSN(t *testing.T) {
	cases := []struct {
		name string
		sent int    // messages sent first
		cum  uint32 // SACK cumulative TSN ack, relative to the endpoint's initial TSN
	}{
		{"nothing sent", 0, 5},
		{"one past the highest sent", 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := scriptedConfig()
				cfg.NoDelay = true
				r := newRig(t, cfg)
				a, s := r.connect()
				for i := range tc.sent {
					sendString(t, a, fmt.Sprint("message ", i))
					r.peer.expect(s.tag, wire.TypeData)
				}
				r.peer.send(s.epTag, sack(s.epTSN+tc.cum))
				pk := r.peer.expect(s.tag, wire.TypeAbort)
				causeOf[wire.ProtocolViolationCause](t, pk.find(wire.TypeAbort))
				if err := waitDone(t, a); !errors.Is(err, errProtocolViolation) {
					t.Errorf("association ended with %v, want errProtocolViolation", err)
				}
			})
		})
	}
}

// Gap blocks that cannot be right are ignored: the SACK neither aborts nor
// acknowledges anything through them.
func TestSackWithInvalidGapBlocks(t *testing.T) {
	cases := []struct {
		name  string
		gap   wire.GapBlock // relative to cum, which is just before both TSNs
		acked int           // messages the gap acknowledges
	}{
		{"valid (control)", wire.GapBlock{Start: 2, End: 2}, 1},
		{"beyond the highest TSN sent", wire.GapBlock{Start: 3, End: 5}, 0},
		{"straddling the highest TSN sent", wire.GapBlock{Start: 2, End: 3}, 0},
		{"start 0", wire.GapBlock{Start: 0, End: 2}, 0},
		{"end before start", wire.GapBlock{Start: 2, End: 1}, 0},
	}
	const size = 100
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := scriptedConfig()
				cfg.NoDelay = true
				r := newRig(t, cfg)
				a, s := r.connect()
				for i := range 2 {
					sendString(t, a, string(make([]byte, size-1))+fmt.Sprint(i))
					r.peer.expect(s.tag, wire.TypeData)
				}
				r.peer.send(s.epTag, sack(s.epTSN-1, tc.gap))
				for _, pk := range r.peer.collect(DefaultRTOInitial / 2) {
					if pk.find(wire.TypeAbort) != nil {
						t.Fatalf("SACK with gap block %+v answered with %v", tc.gap, pk)
					}
				}
				if got, want := a.Stats().Outstanding, size*(2-tc.acked); got != want {
					t.Errorf("%d bytes outstanding after the SACK, want %d", got, want)
				}
				r.peer.send(s.epTag, sack(s.epTSN+1))
				r.peer.expectSilence(time.Minute)
				if st := a.Stats(); st.State != "ESTABLISHED" || st.Outstanding != 0 {
					t.Errorf("association %s with %d bytes outstanding, want ESTABLISHED and 0", st.State, st.Outstanding)
				}
			})
		})
	}
}

// When SACKs go out (section 6.2 and RFC 7053): within SACKDelay for a lone
// packet, at once for every second packet, for the I bit and for a gap.
func TestSackTiming(t *testing.T) {
	cases := []struct {
		name  string
		send  func(r *rig, s *session) // sends the DATA
		delay time.Duration            // from the first DATA to the SACK
		cum   int                      // TSNs acknowledged cumulatively, relative to the first
		gaps  []wire.GapBlock
	}{
		{
			name:  "lone packet",
			send:  func(r *rig, s *session) { r.peer.send(s.epTag, s.data(0, "a", 0)) },
			delay: DefaultSACKDelay,
		},
		{
			name: "two DATA in one packet",
			send: func(r *rig, s *session) {
				r.peer.send(s.epTag, s.data(0, "a", 0), s.data(0, "b", 0))
			},
			delay: DefaultSACKDelay,
			cum:   1,
		},
		{
			name:  "I bit",
			send:  func(r *rig, s *session) { r.peer.send(s.epTag, s.data(0, "a", wire.FlagImmediate)) },
			delay: 0,
		},
		{
			name: "second packet",
			send: func(r *rig, s *session) {
				r.peer.send(s.epTag, s.data(0, "a", 0))
				time.Sleep(50 * time.Millisecond)
				r.peer.send(s.epTag, s.data(0, "b", 0))
			},
			delay: 50 * time.Millisecond,
			cum:   1,
		},
		{
			name: "gap",
			send: func(r *rig, s *session) {
				s.tsn++ // lost
				r.peer.send(s.epTag, s.data(0, "b", 0))
			},
			delay: 0,
			cum:   -1,
			gaps:  []wire.GapBlock{{Start: 2, End: 2}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				_, s := r.connect()
				first, start := s.tsn, time.Now()
				tc.send(r, s)
				pk := r.peer.await(s.tag, wire.TypeSack)
				if got := pk.at.Sub(start); got != tc.delay {
					t.Errorf("SACK after %v, want %v", got, tc.delay)
				}
				sk := chunkOf[wire.Sack](t, pk)
				if want := first + uint32(tc.cum); sk.CumTSN != want || !slices.Equal(sk.Gaps, tc.gaps) {
					t.Errorf("SACK cum %d gaps %v, want cum %d gaps %v", sk.CumTSN, sk.Gaps, want, tc.gaps)
				}
				r.peer.expectSilence(time.Minute)
			})
		})
	}
}

// A receive buffer filled by a reader that stops reading closes the
// window: DATA beyond it is dropped (section 6.2), and when the reader
// drains, a SACK announces the window at once (section 6.2: window
// update).
func TestReceiverWindowUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 1000
		const buf = 4 * (size + rxChunkOverhead) // four messages, each counted with its overhead
		cfg := scriptedConfig()
		cfg.RecvBuffer = buf
		r := newRig(t, cfg)
		a, s := r.connect()
		msg := string(make([]byte, size))
		r.peer.send(s.epTag, s.data(0, msg, 0), s.data(0, msg, 0))
		r.peer.send(s.epTag, s.data(0, msg, 0), s.data(0, msg, wire.FlagImmediate))
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		if sk.CumTSN != s.tsn-1 || sk.ARwnd != 0 {
			t.Fatalf("SACK cum %d a_rwnd %d, want cum %d and a closed window", sk.CumTSN, sk.ARwnd, s.tsn-1)
		}
		// A probe into the closed window is dropped, and the drop reported
		// at once, even without the I bit (section 6.2).
		probe := s.data(0, msg, 0)
		sent := time.Now()
		r.peer.send(s.epTag, probe)
		pk := r.peer.await(s.tag, wire.TypeSack)
		if delay := pk.at.Sub(sent); delay != 0 {
			t.Errorf("SACK reporting the dropped DATA came after %v, want at once", delay)
		}
		if sk := chunkOf[wire.Sack](t, pk); sk.CumTSN != probe.TSN-1 || sk.ARwnd != 0 {
			t.Errorf("SACK for the probe: cum %d a_rwnd %d, want the probe dropped (cum %d) and a closed window", sk.CumTSN, sk.ARwnd, probe.TSN-1)
		}
		// The reader drains one message: the window update comes at once.
		if _, err := recvString(t, a); err != nil {
			t.Fatal(err)
		}
		pk = r.peer.expect(s.tag, wire.TypeSack)
		if sk := chunkOf[wire.Sack](t, pk); sk.ARwnd < size || sk.CumTSN != probe.TSN-1 {
			t.Errorf("window update: cum %d a_rwnd %d, want cum %d and room for the probe", sk.CumTSN, sk.ARwnd, probe.TSN-1)
		}
		probe.Flags |= wire.FlagImmediate
		r.peer.send(s.epTag, probe)
		if sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack)); sk.CumTSN != probe.TSN {
			t.Errorf("the probe sent again is not acknowledged: cum %d, want %d", sk.CumTSN, probe.TSN)
		}
	})
}

// A window update goes out as soon as reads open the window to twice
// what the peer believes it has, not only after the window advertised
// was nearly closed: a receiver whose application reads in bursts
// otherwise leaves the sender waiting on a window that is long free
// again. Reads that open it by less send nothing (no silly window).
func TestWindowUpdateWhenDoubled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 1000
		const buf = 16 * (size + rxChunkOverhead)
		cfg := scriptedConfig()
		cfg.RecvBuffer = buf
		r := newRig(t, cfg)
		a, s := r.connect()
		msg := string(make([]byte, size))
		// 11 messages arrive unread: the peer is left a window of 5, more
		// than a quarter of the buffer.
		last := sendUnread(t, r, s, msg, 11)
		if last == nil || last.CumTSN != s.tsn-1 || last.ARwnd != 5*(size+rxChunkOverhead) {
			t.Fatalf("last SACK %+v, want cum %d and a window of 5 messages", last, s.tsn-1)
		}
		read := func(n int) {
			for range n {
				if _, err := recvString(t, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		read(4) // a window of 9: not yet twice 5
		r.peer.expectSilence(time.Second)
		read(1)
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		if sk.CumTSN != s.tsn-1 || sk.ARwnd != 10*(size+rxChunkOverhead) {
			t.Errorf("window update: cum %d a_rwnd %d, want cum %d and a window of 10 messages", sk.CumTSN, sk.ARwnd, s.tsn-1)
		}
		read(6) // the peer now sees 10 of 16, more than half: no update is wanted
		r.peer.expectSilence(time.Second)
	})
}

// zeroWindowRig connects a scripted receiver that advertises a window of
// rwnd bytes (a chunk takes peerCost of it), and queues n messages of size bytes on the association.
func zeroWindowRig(t *testing.T, rwnd uint32, n, size int) (*rig, *Association, *session) {
	t.Helper()
	cfg := scriptedConfig()
	cfg.NoDelay = true
	r := newRig(t, cfg)
	init := peerInit(peerTag, peerTSN)
	init.ARwnd = rwnd
	s := r.handshake(init)
	a := r.accept()
	for i := range n {
		msg := make([]byte, size)
		msg[0] = byte(i)
		if err := a.SendMsg(context.Background(), msg, SendInfo{}); err != nil {
			t.Fatal(err)
		}
	}
	return r, a, s
}

// dataTSNs returns the TSNs of the DATA chunks in pks.
func dataTSNs(t *testing.T, pks ...packet) []uint32 {
	t.Helper()
	var tsns []uint32
	for _, pk := range pks {
		for _, c := range pk.all(wire.TypeData) {
			var d wire.Data
			if err := d.Decode(c); err != nil {
				t.Fatal(err)
			}
			tsns = append(tsns, d.TSN)
		}
	}
	return tsns
}

// A sender facing a closed window sends up to the window, then one zero
// window probe at a time (section 6.1 rule A), and resumes on the window
// update.
func TestZeroWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, size = 8, 500
		r, a, s := zeroWindowRig(t, uint32(4*peerCost(size)), n, size)
		e := s.epTSN
		if got := dataTSNs(t, r.peer.collect(time.Millisecond)...); !slices.Equal(got, []uint32{e, e + 1, e + 2, e + 3}) {
			t.Fatalf("sent TSNs %v into a window of 4 messages, want %d to %d", got, e, e+3)
		}
		// The reader stops: everything is acknowledged, the window is 0.
		// The first probe comes one RTO later, the next ones at growing
		// intervals, each alone.
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e + 3})
		last := time.Now()
		for probe := 1; probe <= 3; probe++ {
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatalf("no zero window probe %d", probe)
			}
			pks := append([]packet{pk}, r.peer.collect(time.Millisecond)...)
			if got := dataTSNs(t, pks...); len(pks) != 1 || !slices.Equal(got, []uint32{e + 4}) {
				t.Fatalf("probe %d: got %v carrying TSNs %v, want one packet with TSN %d alone", probe, pks, got, e+4)
			}
			if gap := pk.at.Sub(last); gap < DefaultRTOInitial {
				t.Errorf("probe %d sent %v after the previous probe or the window closing, want at least RTO (%v)", probe, gap, DefaultRTOInitial)
			}
			last = pk.at
			// The probe is dropped: the window is still closed.
			r.peer.send(s.epTag, &wire.Sack{CumTSN: e + 3})
		}
		// The reader drains: a window update reopens the flow at once (as
		// far as the congestion window, collapsed by the probes' timeouts,
		// allows), and acknowledgements keep it going to the end.
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e + 3, ARwnd: peerRwnd})
		got := dataTSNs(t, r.peer.collect(time.Millisecond)...)
		if !slices.Contains(got, e+5) {
			t.Fatalf("window update answered with TSNs %v, want new data from %d", got, e+5)
		}
		received := map[uint32]bool{}
		for cum := e + 3; ; {
			for _, tsn := range got {
				received[tsn] = true
			}
			for received[cum+1] {
				cum++
			}
			r.peer.send(s.epTag, &wire.Sack{CumTSN: cum, ARwnd: peerRwnd})
			if cum == e+n-1 {
				break
			}
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatalf("stalled with TSNs through %d acknowledged, want %d", cum, e+n-1)
			}
			got = dataTSNs(t, pk)
		}
		r.peer.expectSilence(time.Minute)
		if st := a.Stats(); st.Outstanding != 0 || st.MessagesSent != n {
			t.Errorf("%d bytes outstanding, %d messages sent; want 0 and %d", st.Outstanding, st.MessagesSent, n)
		}
	})
}

// Unacknowledged zero window probes do not count as errors while the peer
// keeps answering with SACKs (section 6.1 rule A): a receiver may keep its
// window closed indefinitely.
func TestZeroWindowProbesAreNotErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := zeroWindowRig(t, uint32(peerCost(500)), 2, 500)
		e := s.epTSN
		r.peer.expect(s.tag, wire.TypeData)
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e})
		rounds := 2 * (DefaultAssocMaxRetrans + 1)
		for i := range rounds {
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatalf("no probe %d", i+1)
			}
			if pk.find(wire.TypeAbort) != nil {
				t.Fatalf("association aborted at probe %d of %d (%v), though the peer answers every probe", i+1, rounds, pk)
			}
			if got := dataTSNs(t, pk); !slices.Equal(got, []uint32{e + 1}) {
				t.Fatalf("probe %d: %v carries TSNs %v, want [%d]", i+1, pk, got, e+1)
			}
			r.peer.send(s.epTag, &wire.Sack{CumTSN: e})
		}
		if got := stateOf(a); got != "ESTABLISHED" {
			t.Errorf("association %s after %d answered probes, want ESTABLISHED", got, rounds)
		}
	})
}

// A window that reopens before the zero window probe is due takes the
// probe's deadline away: left behind, it made the timer fire at once in
// every round once it passed, for as long as nothing was queued, and the
// timer's goroutines starved the application of a one-thread runtime.
func TestReopenedWindowCancelsProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := zeroWindowRig(t, uint32(peerCost(500)), 2, 500)
		e := s.epTSN
		r.peer.expect(s.tag, wire.TypeData)
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e}) // closed, one message queued: a probe is due in an RTO
		r.peer.expectSilence(time.Millisecond)
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e, ARwnd: peerRwnd})
		if got := dataTSNs(t, r.peer.expect(s.tag, wire.TypeData)); !slices.Equal(got, []uint32{e + 1}) {
			t.Fatalf("after the window opened: TSNs %v, want [%d]", got, e+1)
		}
		r.peer.send(s.epTag, &wire.Sack{CumTSN: e + 1, ARwnd: peerRwnd})
		var due time.Time
		a.exec(func(time.Time) { due = a.tx.probeDue })
		if !due.IsZero() {
			t.Fatalf("zero window probe still due at %v with the window open and nothing queued", due)
		}
		r.peer.expectSilence(10 * time.Second)
	})
}

// SendMsg's buffer grows to twice the congestion window, as far as
// SendBufferMax, so that the application can queue the next messages
// while a window's worth waits for its SACKs; with SendBufferMax left at
// SendBuffer it does not grow.
func TestSendBufferGrowsWithWindow(t *testing.T) {
	for _, grow := range []bool{false, true} {
		t.Run(fmt.Sprint("grow=", grow), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const size = 1000
				cfg := scriptedConfig()
				cfg.NoDelay = true
				cfg.SendBuffer = 3 * (size + chunkCost)
				if grow {
					cfg.SendBufferMax = 1 << 20
				}
				r := newRig(t, cfg)
				r.handshake(peerInit(peerTag, peerTSN))
				a := r.accept()
				ctx, cancel := context.WithCancel(context.Background())
				cancel() // SendMsg fails instead of waiting for room
				queued := 0
				for a.SendMsg(ctx, make([]byte, size), SendInfo{}) == nil {
					queued++
				}
				var cwnd int
				a.exec(func(time.Time) { cwnd = a.primary.cc.Window() })
				want := 3
				if grow {
					want = 2 * cwnd / (size + chunkCost)
				}
				if queued != want {
					t.Errorf("SendMsg took %d messages before it would wait (cwnd %d), want %d", queued, cwnd, want)
				}
			})
		})
	}
}

// Where the endpoint's share of its socket caps the window (after drops,
// with other associations receiving), the window update goes out once
// reads open it to the share, even when the share is less than twice what
// the peer believes it has: otherwise that peer would wait for the
// window of the next data it cannot send.
func TestWindowUpdateUnderShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 1000
		const cost = size + rxChunkOverhead
		cfg := scriptedConfig()
		cfg.RecvBuffer = 16 * cost
		r := newRig(t, cfg)
		a, s := r.connect()
		a.exec(func(now time.Time) {
			// Another association received in this epoch, and the socket
			// dropped datagrams: windows are capped at rxShareMin.
			sh := &a.ep.rxShare
			sh.mu.Lock()
			sh.epoch, sh.cur = now.UnixNano()/int64(rxShareEpoch), 1
			sh.mu.Unlock()
			sh.budget, sh.drops = 1, func() uint64 { return 1 }
			sh.capUntil.Store(now.Add(time.Hour).UnixNano())
			sh.checkAt.Store(now.Add(time.Hour).UnixNano())
		})
		msg := string(make([]byte, size))
		last := sendUnread(t, r, s, msg, 12)
		if last == nil || last.ARwnd != 4*cost {
			t.Fatalf("last SACK %+v, want a window of 4 messages", last)
		}
		for range 12 {
			if _, err := recvString(t, a); err != nil {
				t.Fatal(err)
			}
		}
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		if sk.ARwnd != rxShareMin {
			t.Errorf("window update a_rwnd %d, want the share (%d)", sk.ARwnd, rxShareMin)
		}
	})
}

// sendUnread has the peer send n messages of msg on stream 0, the last
// with the I bit, and returns the last SACK that came back.
func sendUnread(t *testing.T, r *rig, s *session, msg string, n int) *wire.Sack {
	t.Helper()
	for i := range n {
		flags := wire.DataFlags(0)
		if i == n-1 {
			flags = wire.FlagImmediate
		}
		r.peer.send(s.epTag, s.data(0, msg, flags))
	}
	var last *wire.Sack
	for _, pk := range r.peer.collect(time.Millisecond) {
		last = chunkOf[wire.Sack](t, pk)
	}
	return last
}

// A chunk that finds some window left but less than it needs is taken,
// and the SACK then closes the window: dropping it made a sender with
// nothing in flight send it again at every SACK, each time taken for lost.
func TestChunkOvershootingWindowTaken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 1000
		const cost = size + rxChunkOverhead
		cfg := scriptedConfig()
		cfg.RecvBuffer = 11*cost + 400 // 400 bytes left after 11 unread messages
		r := newRig(t, cfg)
		a, s := r.connect()
		last := sendUnread(t, r, s, string(make([]byte, size)), 12)
		if last == nil || last.CumTSN != s.tsn-1 || last.ARwnd != 0 {
			t.Fatalf("last SACK %+v, want cum %d (the 12th message taken) and a closed window", last, s.tsn-1)
		}
		if d := a.Stats().DataDropped; d != 0 {
			t.Errorf("%d chunks dropped, want none", d)
		}
	})
}
