package stack

// Dynamic Address Reconfiguration (RFC 5061) against a live association:
// the scripted peer of scripted_authpeer_test.go sends signed ASCONFs and
// answers ours, and the wire log tells where each packet went and from
// which address.

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestAsconfAddIPConfirmedBeforeData checks Add IP Address and Set
// Primary Address from the peer (RFC 5061 sections 4.2.1, 4.2.4, 5.2): the
// new address becomes an unconfirmed path that gets a HEARTBEAT at once;
// no DATA goes to it, primary or not, until the HEARTBEAT ACK confirms it
// (RFC 9260 section 5.4); then data moves to it.
func TestAsconfAddIPConfirmedBeforeData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, heartbeatConfig())
		a, s := r.connectAuth()
		events := eventTimes(a)
		req := s.asconf(addrB, addIP(1, addrB2), setPrimary(2, addrB2))
		r.sendSigned(s, req)
		pks := r.expectTogether(s, wire.TypeAsconfAck, wire.TypeHeartbeat)
		ack := decodeAsconfAck(t, pks[wire.TypeAsconfAck], req.Serial)
		expectAccepted(t, ack, 1, 2)
		expectRoute(t, pks[wire.TypeAsconfAck], addrA, addrB)
		expectRoute(t, pks[wire.TypeHeartbeat], addrA, addrB2)
		if p := pathInfo(t, a, addrB2); p.State != PathUnconfirmed || p.Primary {
			t.Errorf("new path %+v, want unconfirmed and not primary", p)
		}

		// Data before the HEARTBEAT ACK goes to addrB.
		for i := range 3 {
			sendString(t, a, "before")
			wp := r.expectSigned(s, wire.TypeData)
			expectRoute(t, wp, addrA, addrB)
			r.peer.send(s.epTag, sack(s.epTSN+uint32(i)))
			time.Sleep(100 * time.Millisecond)
		}
		for _, wp := range r.wire.carrying(wire.TypeData) {
			if wp.dst == addrB2 {
				t.Fatalf("DATA sent to %v before it was confirmed", wp.dst)
			}
		}

		r.answerHeartbeat(s, pks[wire.TypeHeartbeat])
		synctest.Wait()
		if p := pathInfo(t, a, addrB2); p.State != PathActive || !p.Primary {
			t.Fatalf("path after the HEARTBEAT ACK %+v, want active and primary", p)
		}
		sendString(t, a, "after")
		expectRoute(t, r.expectSigned(s, wire.TypeData), addrA, addrB2)
		synctest.Wait()
		if n := len(events(EventPathAdded)); n != 1 {
			t.Errorf("%d path-added events, want 1", n)
		}
		if n := len(events(EventPathConfirmed)); n != 1 {
			t.Errorf("%d path-confirmed events, want 1", n)
		}
	})
}

// TestAsconfDeleteIP checks Delete IP Address from the peer (RFC 5061
// section 4.2.2): the path goes, with no more heartbeats to it.
func TestAsconfDeleteIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, heartbeatConfig())
		a, s := r.connectAuth()
		events := eventTimes(a)
		add := s.asconf(addrB, addIP(1, addrB2))
		r.sendSigned(s, add)
		r.expectTogether(s, wire.TypeAsconfAck, wire.TypeHeartbeat)
		expectPaths(t, a, addrB, addrB2)

		del := s.asconf(addrB, deleteIP(2, addrB2))
		r.sendSigned(s, del)
		ack, _ := r.expectAsconfAck(s, del.Serial)
		expectAccepted(t, ack, 2)
		expectPaths(t, a, addrB)
		r.peer.expectSilence(time.Minute) // not even the heartbeat retry
		synctest.Wait()
		if ev := events(EventPathRemoved); len(ev) != 1 || ev[0].Addr.Addr() != addrB2 {
			t.Errorf("path-removed events %v, want one for %v", ev, addrB2)
		}
		r.alive(s)
	})
}

// TestAsconfDeleteRefused checks the refusals of Delete IP Address (RFC
// 5061 section 5.3): deleting the peer's last address (F5) is refused with
// 0x00A0, deleting the packet's source address (F8) with 0x00A2, and when
// both hold, F8 names 0x00A0. Nothing is deleted.
func TestAsconfDeleteRefused(t *testing.T) {
	cases := []struct {
		name  string
		extra bool       // addrB2 is added first
		from  netip.Addr // the ASCONF's source
		code  wire.CauseCode
	}{
		{"last address", false, addrB2, wire.CauseDeleteLastAddress},
		{"source address", true, addrB, wire.CauseDeleteSourceAddress},
		{"source and last address", false, addrB, wire.CauseDeleteLastAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				a, s := r.connectAuth()
				want := []netip.Addr{addrB}
				if tc.extra {
					add := s.asconf(addrB, addIP(1, addrB2))
					r.sendSigned(s, add)
					r.expectAsconfAck(s, add.Serial)
					want = append(want, addrB2)
				}
				del := deleteIP(7, addrB)
				req := s.asconf(tc.from, del)
				r.sendSignedFrom(s, tc.from, req)
				ack, wp := r.expectAsconfAck(s, req.Serial)
				expectRoute(t, wp, addrA, tc.from)
				expectRefusal(t, ack, del, tc.code)
				expectPaths(t, a, want...)
				r.alive(s)
			})
		})
	}
}

// TestAsconfWildcard checks the wildcard address in requests (RFC 5061
// sections 4.2.1, 4.2.2 and 4.2.4): it stands for the packet's source in
// Add IP and Set Primary, and in Delete IP for every address but the
// source.
func TestAsconfWildcard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		for _, step := range []struct {
			req  *wire.AddressRequestParam
			want []netip.Addr
		}{
			{addIP(1, wildcard4), []netip.Addr{addrB, addrB2}},
			{setPrimary(2, wildcard4), []netip.Addr{addrB, addrB2}},
			{deleteIP(3, wildcard4), []netip.Addr{addrB2}},
		} {
			req := s.asconf(addrB2, step.req)
			r.sendSignedFrom(s, addrB2, req)
			ack, wp := r.expectAsconfAck(s, req.Serial)
			expectRoute(t, wp, addrA, addrB2)
			expectAccepted(t, ack, step.req.CorrelationID)
			expectPaths(t, a, step.want...)
			if !pathInfo(t, a, addrB2).Preferred && step.req.Type != wire.ParamAddIP {
				t.Errorf("after %s of the wildcard, %v is not the preferred path", step.req.Type, addrB2)
			}
		}
	})
}

// TestAsconfRetransmissionAnsweredFromCache checks RFC 5061 section 5.2 E2
// and E4: an ASCONF sent again with the serial last processed gets the
// same ASCONF-ACK, byte for byte, and its requests are not applied again.
func TestAsconfRetransmissionAnsweredFromCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		events := eventTimes(a)
		req := s.asconf(addrB, addIP(1, addrB2), setPrimary(2, addrB2))
		packetBytes := s.seal(t, s.epTag, authHere, req)
		r.sendRaw(addrB, addrA, bytes.Clone(packetBytes))
		_, first := r.expectAsconfAck(s, req.Serial)
		if !pathInfo(t, a, addrB2).Preferred {
			t.Fatal("Set Primary Address not applied")
		}
		// The user moves the primary back; a re-applied request would
		// undo that.
		if err := a.SetPrimary(addrB); err != nil {
			t.Fatal(err)
		}
		r.sendRaw(addrB, addrA, bytes.Clone(packetBytes))
		_, again := r.expectAsconfAck(s, req.Serial)
		if x, y := again.chunks()[1], first.chunks()[1]; !bytes.Equal(x, y) {
			t.Errorf("ASCONF-ACK of the retransmission\n%x\ndiffers from the first\n%x", []byte(x), []byte(y))
		}
		if !pathInfo(t, a, addrB).Preferred {
			t.Error("the retransmitted ASCONF was applied again: addrB is no longer preferred")
		}
		expectPaths(t, a, addrB, addrB2)
		synctest.Wait()
		if n := len(events(EventPathAdded)); n != 1 {
			t.Errorf("%d path-added events, want 1", n)
		}
		if n := a.Stats().AsconfsReceived; n != 2 {
			t.Errorf("AsconfsReceived = %d, want 2", n)
		}
	})
}

// TestAsconfOldOrFutureSerialIgnored checks RFC 5061 section 5.2 E2 and
// E5: an ASCONF older than the last one processed, whose ASCONF-ACK is no
// longer cached, and one beyond the next serial, are skipped without an
// answer and change nothing.
func TestAsconfOldOrFutureSerialIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		add := s.asconf(addrB, addIP(1, addrB2))
		r.sendSigned(s, add)
		r.expectAsconfAck(s, add.Serial)
		del := s.asconf(addrB, deleteIP(2, addrB2))
		r.sendSigned(s, del)
		r.expectAsconfAck(s, del.Serial)

		r.sendSigned(s, add) // old: its ASCONF-ACK was replaced by del's
		r.peer.expectSilence(time.Second)
		expectPaths(t, a, addrB)

		future := &wire.Asconf{Serial: s.serial + 1, Address: addrB, Params: wire.AppendParam(nil, addIP(3, addrB3))}
		r.sendSigned(s, future)
		r.peer.expectSilence(time.Second)
		expectPaths(t, a, addrB)

		next := s.asconf(addrB, addIP(4, addrB3))
		r.sendSigned(s, next)
		ack, _ := r.expectAsconfAck(s, next.Serial)
		expectAccepted(t, ack, 4)
		expectPaths(t, a, addrB, addrB3)
	})
}

// TestAsconfForgedTagIgnored checks that a signed ASCONF with a wrong
// verification tag changes nothing and gets no ASCONF-ACK (RFC 9260
// section 8.5), from the peer's address or from a new one.
func TestAsconfForgedTagIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		req := s.asconf(addrB, addIP(1, addrB2))
		r.sendRaw(addrB, addrA, s.seal(t, s.epTag+1, authHere, req))
		r.sendRaw(addrB3, addrA, s.seal(t, s.epTag^0xffff0000, authHere, req))
		for _, pk := range r.peer.collect(time.Second) {
			if pk.find(wire.TypeAsconfAck) != nil {
				t.Fatalf("%v answers an ASCONF with a forged tag", pk)
			}
		}
		expectPaths(t, a, addrB)
		// The serial was not used up.
		r.sendSigned(s, req)
		ack, _ := r.expectAsconfAck(s, req.Serial)
		expectAccepted(t, ack, 1)
	})
}

// TestAsconfWithoutAuthDropped checks that an ASCONF is discarded unless
// an AUTH chunk that verified comes before it (RFC 5061 section 4.1.1, RFC
// 4895 section 6.3), while the other chunks of its packet are processed.
func TestAsconfWithoutAuthDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		req := s.asconf(addrB, addIP(1, addrB2))
		r.peer.send(s.epTag, req)
		r.peer.expectSilence(time.Second)
		d := s.data(0, "bundled", wire.FlagImmediate)
		r.peer.send(s.epTag, d, req)
		if sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, s.signed(wire.TypeSack)...)); sk.CumTSN != d.TSN {
			t.Errorf("SACK acknowledges %d, want %d", sk.CumTSN, d.TSN)
		}
		r.sendRaw(addrB, addrA, s.seal(t, s.epTag, req, authHere, heartbeat("after")))
		r.expectSigned(s, wire.TypeHeartbeatAck)
		r.sendRaw(addrB2, addrA, s.seal(t, s.epTag, req)) // from a new address
		r.peer.expectSilence(time.Second)
		expectPaths(t, a, addrB)
		if n := a.Stats().Unauthenticated; n != 3 {
			t.Errorf("Unauthenticated = %d, want 3", n)
		}
		r.sendSigned(s, req)
		ack, _ := r.expectAsconfAck(s, req.Serial)
		expectAccepted(t, ack, 1)
		expectPaths(t, a, addrB, addrB2)
	})
}

// TestAsconfFromNewSource checks RFC 5061 section 5.2: a signed ASCONF from
// an address that is not yet the peer's is accepted, and its ASCONF-ACK
// goes back to that address.
func TestAsconfFromNewSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		req := s.asconf(addrB3, addIP(1, addrB3), addIP(2, addrB2))
		r.sendSignedFrom(s, addrB3, req)
		ack, wp := r.expectAsconfAck(s, req.Serial)
		expectAccepted(t, ack, 1, 2)
		expectRoute(t, wp, addrA, addrB3)
		expectPaths(t, a, addrB, addrB2, addrB3)
		if p := pathInfo(t, a, addrB3); p.State != PathUnconfirmed {
			t.Errorf("path to the ASCONF's source is %v, want unconfirmed", p.State)
		}
	})
}

// TestAsconfAckFromArrivalAddress checks RFC 5061 section 5.2 E6: the
// ASCONF-ACK goes to the ASCONF's source address, from the address the
// ASCONF arrived on, behind AUTH.
func TestAsconfAckFromArrivalAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig(), addrA, addrA2)
		_, s := r.connectAuth()
		for i, from := range []netip.Addr{addrB, addrB2} {
			req := s.asconf(from, addIP(uint32(i+1), addrB3))
			r.sendRaw(from, addrA2, s.seal(t, s.epTag, authHere, req))
			_, wp := r.expectAsconfAck(s, req.Serial)
			expectRoute(t, wp, addrA2, from)
		}
	})
}

// TestAsconfAddLocalAddr checks AddLocalAddr (RFC 5061 section 5.1): an
// ASCONF with our initial TSN as serial, one of our addresses in its
// Address Parameter, an Add IP Address request, behind AUTH; the
// ASCONF-ACK ends as a successful EventASCONF.
func TestAsconfAddLocalAddr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		r.sut.AddAddr(addrA2)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatal(err)
		}
		req, wp := r.expectAsconf(s, s.epTSN, false)
		expectRoute(t, wp, addrA, addrB)
		if req.Address != addrA {
			t.Errorf("ASCONF Address Parameter %v, want the source %v", req.Address, addrA)
		}
		expectRequests(t, req, addIP(0, addrA2))
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial})
		e := waitEvent(t, a, EventASCONF)
		if e.Err != nil || !strings.Contains(e.Request, addrA2.String()) {
			t.Errorf("event %v, want the success of adding %v", e, addrA2)
		}
		if n := a.Stats().AsconfsSent; n != 1 {
			t.Errorf("AsconfsSent = %d, want 1", n)
		}
	})
}

// TestAsconfOneInFlight checks RFC 5061 section 5.1.1 C1: one ASCONF at a
// time; requests made while it is in flight go, bundled, into the next,
// which leaves as soon as the ASCONF-ACK arrives.
func TestAsconfOneInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		r.sut.AddAddr(addrA2)
		r.sut.AddAddr(addrA3)
		for _, err := range []error{a.AddLocalAddr(addrA2), a.AddLocalAddr(addrA3), a.SetPeerPrimary(addrA2)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		first, _ := r.expectAsconf(s, s.epTSN, false)
		expectRequests(t, first, addIP(0, addrA2))
		r.peer.expectSilence(500 * time.Millisecond) // less than T4-RTO
		r.sendSigned(s, &wire.AsconfAck{Serial: first.Serial})
		second, _ := r.expectAsconf(s, first.Serial+1, false)
		got := expectRequests(t, second, addIP(0, addrA3), setPrimary(0, addrA2))
		if got[0].CorrelationID == requests(t, first)[0].CorrelationID {
			t.Error("the second ASCONF reuses a correlation ID of the first")
		}
		r.sendSigned(s, &wire.AsconfAck{Serial: second.Serial})
		for _, e := range asconfEvents(t, a, 3) {
			if e.Err != nil {
				t.Errorf("event %v, want success", e)
			}
		}
		r.peer.expectSilence(time.Minute)
	})
}

// TestAsconfT4Retransmission checks RFC 5061 section 5.1 B1-B5: without an
// ASCONF-ACK the same ASCONF goes again when T4-RTO expires, to the other
// confirmed address of the peer, the RTO of the address that failed
// doubling and T4 restarting with the RTO of the new destination.
func TestAsconfT4Retransmission(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, heartbeatConfig())
		ap := auth.NewParams(peerAuthChunks)
		init := authInit(peerTag, peerTSN, ap, asconfExts...)
		for _, addr := range []netip.Addr{addrB, addrB2} {
			init.Params = wire.AppendParam(init.Params, &wire.AddressParam{Addr: addr})
		}
		a, s := r.connectInit(init, ap)
		r.answerHeartbeat(s, r.expectSigned(s, wire.TypeHeartbeat)) // confirms addrB2
		synctest.Wait()
		if p := pathInfo(t, a, addrB2); p.State != PathActive {
			t.Fatalf("second path %v", p.State)
		}

		r.sut.AddAddr(addrA2)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, wp := r.expectAsconf(s, s.epTSN, false)
		sent := [][]byte{wp.chunks()[1]}
		expectRoute(t, wp, addrA, addrB)
		// addrB's RTO is 1 s and doubles with each expiry; addrB2's is 1 s
		// (a heartbeat measured it) and doubles too.
		for _, want := range []struct {
			at  time.Duration
			dst netip.Addr
		}{{time.Second, addrB2}, {2 * time.Second, addrB}, {4 * time.Second, addrB2}, {6 * time.Second, addrB}} {
			_, wp := r.expectAsconf(s, s.epTSN, true)
			if got := wp.at.Sub(start); got != want.at {
				t.Errorf("retransmission at %v, want %v", got, want.at)
			}
			if wp.dst != want.dst {
				t.Errorf("retransmission at %v to %v, want %v", want.at, wp.dst, want.dst)
			}
			sent = append(sent, wp.chunks()[1])
		}
		for _, c := range sent[1:] {
			if !bytes.Equal(c, sent[0]) {
				t.Errorf("retransmitted ASCONF\n%x\ndiffers from the first\n%x", []byte(c), []byte(sent[0]))
			}
		}
		r.sendSignedFrom(s, addrB2, &wire.AsconfAck{Serial: s.epTSN})
		if e := waitEvent(t, a, EventASCONF); e.Err != nil {
			t.Errorf("event %v, want success", e)
		}
		r.peer.expectSilence(time.Minute)
		if n := a.Stats().Retransmissions; n != 4 {
			t.Errorf("Retransmissions = %d, want 4", n)
		}
	})
}

// TestAsconfAckResults checks that each answer of the peer becomes an
// EventASCONF: success, and refusal with the peer's cause.
func TestAsconfAckResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		r.sut.AddAddr(addrA2)
		r.sut.AddAddr(addrA3)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatal(err)
		}
		req, _ := r.expectAsconf(s, s.epTSN, false)
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial})
		if e := waitEvent(t, a, EventASCONF); e.Err != nil {
			t.Errorf("event %v, want success", e)
		}

		if err := a.AddLocalAddr(addrA3); err != nil {
			t.Fatal(err)
		}
		req, _ = r.expectAsconf(s, s.epTSN+1, false)
		asked := requests(t, req)[0]
		cause := wire.AppendCause(nil, &wire.AsconfCause{Code: wire.CauseNoAuthorization, Request: wire.Param(wire.AppendParam(nil, &asked))})
		no := wire.AppendParam(nil, &wire.ErrorCauseIndicationParam{CorrelationID: asked.CorrelationID, Causes: cause})
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial, Params: no})
		e := waitEvent(t, a, EventASCONF)
		var ce *CauseError
		if !errors.As(e.Err, &ce) || ce.Code != wire.CauseNoAuthorization || !strings.Contains(e.Request, addrA3.String()) {
			t.Errorf("event %v, want the refusal of adding %v with %s", e, addrA3, wire.CauseNoAuthorization)
		}
	})
}

// TestAsconfIllegalAck checks RFC 5061 section 5.3 F0: an ASCONF-ACK for a
// serial we have not sent aborts the association with "Association
// Aborted Due to Illegal ASCONF-ACK" (0x00A3), while one for an ASCONF
// already acknowledged is ignored.
func TestAsconfIllegalAck(t *testing.T) {
	for _, tc := range []struct {
		name string
		sent bool   // one ASCONF was sent and acknowledged first
		ack  uint32 // serial acknowledged, relative to our initial TSN
	}{
		{"none sent", false, 0},
		{"beyond the one sent", true, 1},
		{"far beyond", true, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				a, s := r.connectAuth()
				if tc.sent {
					r.sut.AddAddr(addrA2)
					if err := a.AddLocalAddr(addrA2); err != nil {
						t.Fatal(err)
					}
					r.expectAsconf(s, s.epTSN, false)
					r.sendSigned(s, &wire.AsconfAck{Serial: s.epTSN})
					waitEvent(t, a, EventASCONF)
					r.sendSigned(s, &wire.AsconfAck{Serial: s.epTSN}) // again: ignored
					r.peer.expectSilence(time.Second)
					r.alive(s)
				}
				r.sendSigned(s, &wire.AsconfAck{Serial: s.epTSN + tc.ack})
				wp := r.expectSigned(s, wire.TypeAbort)
				for _, c := range wp.chunks() {
					if c.Type() == wire.TypeAbort {
						if cs := causesOf(t, c); len(cs) != 1 || cs[0].Code() != wire.CauseIllegalAsconfAck {
							t.Errorf("ABORT causes %v, want %s", codes(cs), wire.CauseIllegalAsconfAck)
						}
					}
				}
				if err := waitDone(t, a); err == nil {
					t.Error("association ended without an error")
				}
			})
		})
	}
}

// TestAsconfDeleteLocalAddrNotSource checks that once a Delete IP Address
// of one of our addresses is queued, that address is no source any more:
// not of the ASCONF (which the peer would refuse under RFC 5061 section
// 5.3 F8), nor of data. A refusal gives the address back; a success
// removes it for good, replies to packets that arrive on it included.
func TestAsconfDeleteLocalAddrNotSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig(), addrA, addrA2)
		a, s := r.connectAuth()
		tsn := s.epTSN
		sendAndAck := func(src netip.Addr) {
			t.Helper()
			sendString(t, a, "data")
			expectRoute(t, r.expectSigned(s, wire.TypeData), src, addrB)
			r.peer.send(s.epTag, sack(tsn))
			tsn++
		}
		sendAndAck(addrA)

		if err := a.RemoveLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		req, wp := r.expectAsconf(s, s.epTSN, false)
		expectRoute(t, wp, addrA2, addrB)
		if req.Address != addrA2 {
			t.Errorf("ASCONF Address Parameter %v, want %v", req.Address, addrA2)
		}
		asked := expectRequests(t, req, deleteIP(0, addrA))[0]
		sendAndAck(addrA2)
		cause := wire.AppendCause(nil, &wire.AsconfCause{Code: wire.CauseNoAuthorization, Request: wire.Param(wire.AppendParam(nil, &asked))})
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial, Params: wire.AppendParam(nil, &wire.ErrorCauseIndicationParam{CorrelationID: asked.CorrelationID, Causes: cause})})
		if e := waitEvent(t, a, EventASCONF); e.Err == nil {
			t.Fatalf("event %v, want a refusal", e)
		}
		sendAndAck(addrA) // refused: addrA is ours again

		if err := a.RemoveLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		req, wp = r.expectAsconf(s, s.epTSN+1, false)
		expectRoute(t, wp, addrA2, addrB)
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial})
		if e := waitEvent(t, a, EventASCONF); e.Err != nil {
			t.Fatalf("event %v, want success", e)
		}
		sendAndAck(addrA2)
		// DATA from the peer still addressed to addrA is acknowledged
		// from addrA2.
		expectRoute(t, r.alive(s), addrA2, addrB)
	})
}

// TestAsconfT4ExhaustionEndsAssociation checks RFC 5061 section 5.1 B2:
// each T4-RTO expiry counts against the association, so a peer that never
// answers an ASCONF is declared unreachable after Association.Max.Retrans
// (10) retransmissions, the RTO doubling up to RTO.Max (60 s).
func TestAsconfT4ExhaustionEndsAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		r.sut.AddAddr(addrA2)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatal(err)
		}
		_, wp := r.expectAsconf(s, s.epTSN, false)
		prev := wp.at
		var gaps []time.Duration
		for range DefaultAssocMaxRetrans {
			_, wp := r.expectAsconf(s, s.epTSN, true)
			gaps = append(gaps, wp.at.Sub(prev))
			prev = wp.at
		}
		wp = r.awaitSigned(s, wire.TypeAbort)
		gaps = append(gaps, wp.at.Sub(prev))
		want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60}
		for i := range want {
			want[i] *= time.Second
		}
		if !slices.Equal(gaps, want) {
			t.Errorf("ASCONF retransmissions, then ABORT, after %v; want %v", gaps, want)
		}
		if err := waitDone(t, a); !errors.Is(err, ErrCommunicationLost) {
			t.Errorf("association ended with %v, want ErrCommunicationLost", err)
		}
	})
}

// TestAsconfDeleteRetransmitsOutstanding: the peer deletes the address
// that DATA in flight went to (it moved away, and the DATA was lost). The
// DATA goes again at once to the remaining address, not after a T3 timer
// that might never run: once no data counts as flight on the new path,
// nothing would retransmit it, and the peer's reassembly would wait for
// it forever.
func TestAsconfDeleteRetransmitsOutstanding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, heartbeatConfig())
		a, s := r.connectAuth()
		add := s.asconf(addrB, addIP(1, addrB2), setPrimary(2, addrB2))
		r.sendSigned(s, add)
		pks := r.expectTogether(s, wire.TypeAsconfAck, wire.TypeHeartbeat)
		r.answerHeartbeat(s, pks[wire.TypeHeartbeat])
		synctest.Wait()
		sendString(t, a, "lost")
		expectRoute(t, r.expectSigned(s, wire.TypeData), addrA, addrB2)

		del := s.asconf(addrB, setPrimary(3, addrB), deleteIP(4, addrB2))
		r.sendSigned(s, del)
		synctest.Wait() // no time passes: no timer fires
		toB := 0
		for _, wp := range r.wire.carrying(wire.TypeData) {
			if wp.dst == addrB {
				toB++
			}
		}
		if toB != 1 {
			t.Errorf("%d DATA packets to %v right after the delete of %v, want the one in flight again", toB, addrB, addrB2)
		}
	})
}
