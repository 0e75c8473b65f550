package stack

// Only the peer ends an association, and only addresses of the
// association belong to it (RFC 9260 sections 8.4 and 8.5.1): an ABORT or
// SHUTDOWN COMPLETE with the right tag from another address is ignored,
// and a packet to a local address the association no longer has is out of
// the blue.

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestForeignAbortIgnored: an ABORT or SHUTDOWN COMPLETE carrying the
// endpoint's tag (sniffed, say) from an address that is not the peer's
// leaves the association up, draws no answer, and is counted.
func TestForeignAbortIgnored(t *testing.T) {
	for _, c := range []chunk{&wire.Abort{}, &wire.ShutdownComplete{}} {
		t.Run(c.(wire.ChunkValue).ChunkType().String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				attacker := spoofer(r, spoofAddr)
				attacker.send(s.epTag, c)
				attacker.expectSilence(time.Second)
				r.expectData(s)
				if st := a.Stats(); st.State != "ESTABLISHED" || st.ForeignAborts != 1 {
					t.Errorf("state %s, ForeignAborts %d; want ESTABLISHED, 1", st.State, st.ForeignAborts)
				}
				if _, ok := c.(*wire.Abort); ok {
					// From the peer's own address the same chunk counts.
					r.peer.send(s.epTag, c)
					waitDone(t, a)
				}
			})
		})
	}
}

// TestDeletedLocalAddrOutOfTheBlue: after the peer acknowledged the
// deletion of addrA, a HEARTBEAT to addrA is out of the blue and gets an
// ABORT with the T bit (section 8.4 rule 8), not a HEARTBEAT ACK; the
// address that stays answers as before.
func TestDeletedLocalAddrOutOfTheBlue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig(), addrA, addrA2)
		a, s := r.connectAuth()
		if err := a.RemoveLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		req, _ := r.expectAsconf(s, s.epTSN, false)
		r.sendSigned(s, &wire.AsconfAck{Serial: req.Serial})
		if e := waitEvent(t, a, EventASCONF); e.Err != nil {
			t.Fatalf("event %v, want success", e)
		}
		hb := &wire.Heartbeat{Info: []byte("to the deleted address")}
		r.sendRaw(addrB, addrA2, s.seal(t, s.epTag, hb))
		r.expectSigned(s, wire.TypeHeartbeatAck)
		r.sendRaw(addrB, addrA, s.seal(t, s.epTag, hb))
		ab := r.peer.expect(s.epTag, wire.TypeAbort)
		if !tBit(ab.chunks[0]) {
			t.Error("ABORT without the T bit")
		}
		if n := a.Stats().OutOfTheBlue; n != 1 {
			t.Errorf("OutOfTheBlue = %d, want 1", n)
		}
	})
}

// TestInitListingAnotherAssociationsAddress: an INIT from the attacker's
// own address that lists the peer's address, with the peer's SCTP port,
// is taken as a restart of the peer's association that adds an address
// (RFC 9260 section 5.2.2) and aborted: no cookie, and the association
// keeps its routes.
func TestInitListingAnotherAssociationsAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		attacker := spoofer(r, spoofAddr)
		init := peerInit(peerTag+1, peerTSN)
		init.Params = wire.AppendParam(nil, &wire.AddressParam{Addr: addrB})
		attacker.send(0, init)
		ab := attacker.expect(peerTag+1, wire.TypeAbort)
		causeOf[wire.RestartAddrsCause](t, ab.chunks[0])
		r.expectData(s)
		if n := r.associations(); n != 1 || stateOf(a) != "ESTABLISHED" {
			t.Errorf("%d associations, the peer's %s; want 1, ESTABLISHED", n, stateOf(a))
		}
	})
}

// TestEndpointAddrOutsideAssociation: an address the endpoint gained
// after the handshake, and never told the peer about, is the endpoint's
// but not the association's: a HEARTBEAT there with the right tag is out
// of the blue. What counts is the association's local address set, not
// the endpoint's (as with a wildcard endpoint).
func TestEndpointAddrOutsideAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig(), addrA)
		_, s := r.connectAuth()
		r.sut.AddAddr(addrA3)
		if err := r.ep.conn.AddAddr(addrA3); err != nil {
			t.Fatal(err)
		}
		hb := &wire.Heartbeat{Info: []byte("to an address of the endpoint only")}
		r.sendRaw(addrB, addrA3, s.seal(t, s.epTag, hb))
		ab := r.peer.expect(s.epTag, wire.TypeAbort)
		if !tBit(ab.chunks[0]) {
			t.Error("ABORT without the T bit")
		}
		r.sendRaw(addrB, addrA, s.seal(t, s.epTag, hb))
		r.expectSigned(s, wire.TypeHeartbeatAck)
	})
}
