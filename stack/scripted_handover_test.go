package stack

// Break-before-make against the scripted peer: what our ASCONFs carry, in
// which order, from where and with which Address Parameter.

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestAsconfDeleteLastAddressHeld: deleting the only address the peer
// knows for us sends nothing (the peer would refuse it, RFC 5061 section
// 5.3 F7). Adding a new address then sends one ASCONF from it: Add IP
// (new), Set Primary (new), Delete IP (old), with the old address as the
// Address Parameter, so that the peer finds the association although the
// source is new to it (section 4.1.1). Nothing leaves from the old
// address once the peer deleted it.
func TestAsconfDeleteLastAddressHeld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		if err := a.RemoveLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		r.peer.expectSilence(time.Minute)

		r.sut.AddAddr(addrA2)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatal(err)
		}
		req, wp := r.expectAsconf(s, s.epTSN, false)
		expectRoute(t, wp, addrA2, addrB)
		if req.Address != addrA {
			t.Errorf("Address Parameter %v, want the address the peer knows, %v", req.Address, addrA)
		}
		expectRequests(t, req, addIP(0, addrA2), setPrimary(0, addrA2), deleteIP(0, addrA))
		// As usrsctp does: a heartbeat to the new address ahead of the
		// ASCONF-ACK in one packet. Its HEARTBEAT ACK must not leave from
		// the address the ACK deletes.
		r.sendRaw(addrB, addrA2, s.seal(t, s.epTag, heartbeat("new"), authHere, &wire.AsconfAck{Serial: req.Serial}))
		expectRoute(t, r.expectSigned(s, wire.TypeHeartbeatAck), addrA2, addrB)
		for _, e := range asconfEvents(t, a, 3) {
			if e.Err != nil {
				t.Errorf("event %v, want success", e)
			}
		}
		r.peer.expectSilence(time.Minute)
		sendString(t, a, "after")
		expectRoute(t, r.expectSigned(s, wire.TypeData), addrA2, addrB)
	})
}

// TestAsconfHeldDeleteCancelled: an address that comes back while its
// Delete is held costs no ASCONF at all.
func TestAsconfHeldDeleteCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, _ := r.connectAuth()
		if err := a.RemoveLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		if err := a.AddLocalAddr(addrA); err != nil {
			t.Fatal(err)
		}
		r.peer.expectSilence(time.Minute)
		if n := a.Stats().AsconfsSent; n != 0 {
			t.Errorf("AsconfsSent = %d, want 0", n)
		}
	})
}

// feedWatcher is an AddressWatcher the test feeds.
type feedWatcher chan []netip.Addr

func (w feedWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	select {
	case addrs := <-w:
		return addrs, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestAsconfResentFromNewAddress: an address that appears while an
// ASCONF is outstanding does not wait for T4-RTO. The outstanding ASCONF
// goes again at once, unchanged, from the new address, and a second one
// with the next serial number and the new requests follows it in the same
// packet behind one AUTH chunk (RFC 5061 section 5.1 B4, 5.1.1 C2). The
// peer's two ASCONF-ACKs settle both.
func TestAsconfResentFromNewAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := make(feedWatcher, 1)
		cfg := scriptedConfig()
		cfg.AutoASCONF, cfg.AddressWatcher = true, w
		r := newAuthRig(t, cfg)
		a, s := r.connectAuth()
		w <- []netip.Addr{addrA}
		r.sut.AddAddr(addrA2)
		w <- []netip.Addr{addrA, addrA2}
		first, _ := r.expectAsconf(s, s.epTSN, true) // after AddressHold
		expectRequests(t, first, addIP(0, addrA2))
		orig := first.Append(nil)
		// Not answered: lost. A third address appears before T4-RTO.
		time.Sleep(100 * time.Millisecond)
		r.sut.AddAddr(addrA3)
		w <- []netip.Addr{addrA, addrA2, addrA3}
		appeared := time.Now()
		wp := r.awaitSigned(s, wire.TypeAsconf, wire.TypeAsconf)
		if d := wp.at.Sub(appeared); d != DefaultAddressHold {
			t.Errorf("resent %v after the address appeared, want AddressHold (%v)", d, DefaultAddressHold)
		}
		expectRoute(t, wp, addrA3, addrB)
		var got []wire.Asconf
		for _, c := range wp.chunks() {
			var x wire.Asconf
			if c.Type() == wire.TypeAsconf && x.Decode(c) == nil {
				got = append(got, x)
			}
		}
		if !bytes.Equal(got[0].Append(nil), orig) {
			t.Errorf("the outstanding ASCONF changed when it was resent")
		}
		if got[1].Serial != first.Serial+1 || got[1].Address != addrA {
			t.Errorf("second ASCONF serial %d Address %v, want %d and %v", got[1].Serial, got[1].Address, first.Serial+1, addrA)
		}
		expectRequests(t, &got[1], addIP(0, addrA3))
		r.sendSigned(s, &wire.AsconfAck{Serial: first.Serial}, &wire.AsconfAck{Serial: first.Serial + 1})
		for _, e := range asconfEvents(t, a, 2) {
			if e.Err != nil {
				t.Errorf("event %v, want success", e)
			}
		}
		r.peer.expectSilence(time.Minute)
	})
}
