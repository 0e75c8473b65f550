package stack

// INIT collisions, unexpected INITs and COOKIE ECHOs that find an
// association (RFC 9260 section 5.2).

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// openCookieOf decodes the State Cookie of an INIT ACK the endpoint sent,
// to look at its tie-tags.
func (r *rig) openCookieOf(ack *wire.InitAck) *cookie {
	r.t.Helper()
	ck, _, err := openCookie(cookieOf(r.t, ack), r.ep.secret[:], time.Now())
	if err != nil {
		r.t.Fatalf("the endpoint's own cookie does not open: %v", err)
	}
	return ck
}

// An INIT received in COOKIE-WAIT is answered with an INIT ACK carrying our
// original tag and TSN (section 5.2.1); the state and T1-init do not
// change; the COOKIE ECHO that follows establishes the association by case
// B of section 5.2.4 (simultaneous open).
func TestInitCollisionInCookieWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		dialed := r.dial()
		ours := chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit))
		start := time.Now()

		r.peer.send(0, peerInit(peerTag, peerTSN))
		ack := chunkOf[wire.InitAck](t, r.peer.expect(peerTag, wire.TypeInitAck))
		if ack.InitiateTag != ours.InitiateTag || ack.InitialTSN != ours.InitialTSN {
			t.Errorf("INIT ACK has tag %#x TSN %d, want those of our INIT, %#x and %d", ack.InitiateTag, ack.InitialTSN, ours.InitiateTag, ours.InitialTSN)
		}
		if ck := r.openCookieOf(ack); ck.tiePeer != 0 {
			t.Errorf("cookie has peer tie-tag %#x; in COOKIE-WAIT no peer tag is known", ck.tiePeer)
		}
		// T1-init keeps running: our INIT comes again after RTO.Initial.
		pk := r.peer.await(0, wire.TypeInit)
		if got := pk.at.Sub(start); got != DefaultRTOInitial {
			t.Errorf("INIT retransmitted after %v, want %v", got, DefaultRTOInitial)
		}

		s := &session{tag: peerTag, epTag: ours.InitiateTag, tsn: peerTSN}
		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: cookieOf(t, ack)})
		r.peer.expect(peerTag, wire.TypeCookieAck)
		res := r.dialed(dialed)
		if res.err != nil {
			t.Fatalf("Dial: %v", res.err)
		}
		r.expectData(s)
		if n := r.associations(); n != 1 {
			t.Errorf("%d associations, want 1", n)
		}
	})
}

// An INIT received in COOKIE-ECHOED is answered with our original tag and
// TSN and tie-tags naming both current tags (section 5.2.1); T1-cookie
// keeps running; the COOKIE ECHO of the new INIT ACK establishes the
// association with the peer's new tag (section 5.2.4 case B).
func TestInitCollisionInCookieEchoed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		dialed := r.dial()
		ours := chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit))
		s := &session{tag: peerTag, epTag: ours.InitiateTag, tsn: peerTSN, cookie: []byte("first cookie")}
		r.peer.send(s.epTag, peerInitAck(s))
		r.peer.expect(s.tag, wire.TypeCookieEcho)
		start := time.Now()

		const newTag = peerTag + 1
		r.peer.send(0, peerInit(newTag, peerTSN))
		ack := chunkOf[wire.InitAck](t, r.peer.expect(newTag, wire.TypeInitAck))
		if ack.InitiateTag != ours.InitiateTag || ack.InitialTSN != ours.InitialTSN {
			t.Errorf("INIT ACK has tag %#x TSN %d, want those of our INIT, %#x and %d", ack.InitiateTag, ack.InitialTSN, ours.InitiateTag, ours.InitialTSN)
		}
		if ck := r.openCookieOf(ack); ck.tieLocal != ours.InitiateTag || ck.tiePeer != peerTag {
			t.Errorf("cookie tie-tags local %#x peer %#x, want %#x and %#x", ck.tieLocal, ck.tiePeer, ours.InitiateTag, uint32(peerTag))
		}
		// T1-cookie keeps running: the first COOKIE ECHO comes again.
		pk := r.peer.await(s.tag, wire.TypeCookieEcho)
		if got := pk.at.Sub(start); got != DefaultRTOInitial {
			t.Errorf("COOKIE ECHO retransmitted after %v, want %v", got, DefaultRTOInitial)
		}

		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: cookieOf(t, ack)})
		r.peer.expect(newTag, wire.TypeCookieAck)
		if res := r.dialed(dialed); res.err != nil {
			t.Fatalf("Dial: %v", res.err)
		}
		s.tag = newTag
		r.expectData(s)
	})
}

// An INIT for an established association gets an INIT ACK with a new tag
// and tie-tags naming the current tags (section 5.2.2); if nothing follows,
// the association goes on with its old tags.
func TestUnexpectedInitInEstablished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		const newTag = peerTag + 1
		r.peer.send(0, peerInit(newTag, peerTSN+500))
		ack := chunkOf[wire.InitAck](t, r.peer.expect(newTag, wire.TypeInitAck))
		if ack.InitiateTag == s.epTag || ack.InitiateTag == 0 {
			t.Errorf("INIT ACK has initiate tag %#x; want a new nonzero tag", ack.InitiateTag)
		}
		if ck := r.openCookieOf(ack); ck.tieLocal != s.epTag || ck.tiePeer != s.tag {
			t.Errorf("cookie tie-tags local %#x peer %#x, want %#x and %#x", ck.tieLocal, ck.tiePeer, s.epTag, s.tag)
		}
		r.expectData(s)
		if got := stateOf(a); got != "ESTABLISHED" {
			t.Errorf("association %s, want ESTABLISHED", got)
		}
		if n := r.associations(); n != 1 {
			t.Errorf("%d associations, want 1", n)
		}
	})
}

// A peer that restarts sets the association up anew (section 5.2.4 case
// A): new tags on both sides, EventRestart, messages in flight reported as
// failed, and the association carries data both ways with the new tags.
func TestPeerRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, old := r.connect()
		sendString(t, a, "lost in the restart")
		r.peer.expect(old.tag, wire.TypeData) // never acknowledged

		s := r.restart(old.tag+1, old.tsn+1000)
		if s.epTag == old.epTag {
			t.Fatal("the restarted association kept the endpoint's old tag")
		}
		evs := waitEvents(t, a, EventRestart, EventSendFailed)
		if e := evs[EventSendFailed]; !errors.Is(e.Err, ErrPeerRestarted) {
			t.Errorf("message in flight failed with %v, want ErrPeerRestarted", e.Err)
		}
		if n := r.associations(); n != 1 {
			t.Errorf("%d associations, want 1", n)
		}
		r.noneAccepted()

		// Peer to endpoint, new tags.
		r.expectData(s)
		if msg, err := recvString(t, a); err != nil || msg != "still there?" {
			t.Errorf("RecvMsg = %q, %v; want the message sent after the restart", msg, err)
		}
		// The old tag is dead (what else comes back is for
		// TestWrongVerificationTagDropped to judge).
		r.peer.send(old.epTag, old.data(0, "old tag", wire.FlagImmediate))
		for _, pk := range r.peer.collect(time.Second) {
			if pk.find(wire.TypeSack) != nil {
				t.Errorf("DATA with the tag from before the restart was acknowledged: %v", pk)
			}
		}

		// Endpoint to peer: the application can go on sending.
		if err := a.SendMsg(t.Context(), []byte("after the restart"), SendInfo{}); err != nil {
			t.Fatalf("SendMsg after the restart: %v", err)
		}
		d := chunkOf[wire.Data](t, r.peer.expect(s.tag, wire.TypeData))
		if d.TSN != s.epTSN || string(d.Payload) != "after the restart" {
			t.Errorf("DATA TSN %d %q, want the new initial TSN %d and the new message", d.TSN, d.Payload, s.epTSN)
		}
	})
}

// A COOKIE ECHO of a cookie the endpoint issued before the association was
// set up by a later one arrives late: it is discarded (section 5.2.4 case
// C).
func TestLateCookieEchoDiscarded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		_, early := r.initAck(peerInit(peerTag, peerTSN)) // INIT ACK lost, INIT sent again
		a, s := r.connect()
		if early.epTag == s.epTag {
			t.Fatal("two INITs got the same tag")
		}
		r.peer.send(early.epTag, &wire.CookieEcho{Cookie: early.cookie})
		r.peer.expectSilence(time.Minute)
		r.expectData(s)
		if n := r.associations(); n != 1 {
			t.Errorf("%d associations, want 1", n)
		}
		r.noneAccepted()
		if st := a.Stats(); st.Restarts != 0 {
			t.Errorf("late cookie counted as %d restart(s)", st.Restarts)
		}
	})
}

// A restart may not add addresses: an INIT naming one the association does
// not have is answered with ABORT "Restart of an Association with New
// Addresses", carrying the INIT's tag, and the association goes on
// (section 5.2.2).
func TestRestartWithNewAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		const newTag = peerTag + 1
		init := peerInit(newTag, peerTSN)
		init.Params = wire.AppendParam(init.Params, &wire.AddressParam{Addr: addrB})
		init.Params = wire.AppendParam(init.Params, &wire.AddressParam{Addr: addrC})
		r.peer.send(0, init)
		pk := r.peer.expect(newTag, wire.TypeAbort)
		ab := pk.find(wire.TypeAbort)
		if tBit(ab) {
			t.Error("ABORT has the T bit set")
		}
		cause := causeOf[wire.RestartAddrsCause](t, ab)
		var added []string
		it := cause.Addresses.Iter()
		for p, ok := it.Next(); ok; p, ok = it.Next() {
			addr, err := wire.DecodeAddress(p)
			if err != nil {
				t.Fatal(err)
			}
			added = append(added, addr.String())
		}
		if len(added) != 1 || added[0] != addrC.String() {
			t.Errorf("cause lists addresses %v, want [%v]", added, addrC)
		}
		r.expectData(s)
		if got := stateOf(a); got != "ESTABLISHED" {
			t.Errorf("association %s, want ESTABLISHED", got)
		}
	})
}

// In SHUTDOWN-ACK-SENT an INIT from the peer means it missed our SHUTDOWN
// ACK: it is discarded and the SHUTDOWN ACK sent again (section 9.2); a
// restart cookie is refused with SHUTDOWN ACK and ERROR "Cookie Received
// While Shutting Down" (section 5.2.4 case A).
func TestHandshakeInShutdownAckSent(t *testing.T) {
	cases := []struct {
		name string
		run  func(r *rig, s *session, restartCookie []byte, restartTag uint32)
		want []wire.ChunkType
	}{
		{
			name: "INIT",
			run: func(r *rig, _ *session, _ []byte, _ uint32) {
				r.peer.send(0, peerInit(peerTag+2, peerTSN))
			},
			want: []wire.ChunkType{wire.TypeShutdownAck},
		},
		{
			name: "restart COOKIE ECHO",
			run: func(r *rig, _ *session, ck []byte, tag uint32) {
				r.peer.send(tag, &wire.CookieEcho{Cookie: ck})
			},
			want: []wire.ChunkType{wire.TypeShutdownAck, wire.TypeError},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				// A restart INIT ACK obtained while established, used later.
				ack, restart := r.initAck(peerInit(peerTag+1, peerTSN+1000))

				r.peerShutdown(s)

				tc.run(r, s, restart.cookie, ack.InitiateTag)
				pk := r.peer.expect(s.tag, tc.want...)
				if e := pk.find(wire.TypeError); e != nil {
					if cs := codes(causesOf(t, e)); len(cs) != 1 || cs[0] != wire.CauseCookieWhileShuttingDown {
						t.Errorf("ERROR causes %v, want [%v]", cs, wire.CauseCookieWhileShuttingDown)
					}
				}
				if got := stateOf(a); got != "SHUTDOWN-ACK-SENT" {
					t.Errorf("association %s, want SHUTDOWN-ACK-SENT", got)
				}
				r.peer.send(s.epTag, &wire.ShutdownComplete{})
				if err := waitDone(t, a); err != nil {
					t.Errorf("association ended with %v, want a graceful close", err)
				}
			})
		})
	}
}
