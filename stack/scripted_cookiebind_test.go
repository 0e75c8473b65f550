package stack

// The state cookie is bound to the INIT it answers (RFC 9260 section
// 5.1.5 step 3): a COOKIE ECHO from another SCTP port, from an address the
// INIT neither came from nor listed, or with another tag is silently
// discarded and counted, so that one cookie obtained by an attacker sets
// up no association in anybody else's name. Only the UDP port may change,
// as behind a NAT (RFC 6951).

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// spoofAddr is an address an attacker sends from: not the peer's.
var spoofAddr = netip.MustParseAddr("192.0.2.77")

// TestCookieEchoBoundToInit: each forged COOKIE ECHO carries the genuine
// cookie, and none of them creates an association or draws an answer;
// the genuine one still does afterwards.
func TestCookieEchoBoundToInit(t *testing.T) {
	cases := []struct {
		name string
		send func(r *rig, s *session)
	}{
		{"other source port", func(r *rig, s *session) {
			r.peer.sendHeader(wire.Header{SrcPort: peerPort + 1, DstPort: sutPort, VerificationTag: s.epTag}, &wire.CookieEcho{Cookie: s.cookie})
		}},
		{"other source address", func(r *rig, s *session) {
			spoofer(r, spoofAddr).send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		}},
		{"other source address and port", func(r *rig, s *session) {
			spoofer(r, spoofAddr).sendHeader(wire.Header{SrcPort: 5565, DstPort: sutPort, VerificationTag: s.epTag}, &wire.CookieEcho{Cookie: s.cookie})
		}},
		{"wrong tag", func(r *rig, s *session) {
			r.peer.send(s.epTag+1, &wire.CookieEcho{Cookie: s.cookie})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				_, s := r.initAck(peerInit(peerTag, peerTSN))
				tc.send(r, s)
				r.peer.expectSilence(time.Second) // less than the cookie's lifetime
				if n := r.associations(); n != 0 {
					t.Fatalf("%d association(s) from a COOKIE ECHO not bound to the INIT", n)
				}
				r.noneAccepted()
				st := r.ep.Stats()
				if st.CookiesForeign+st.CookiesBad != 1 {
					t.Errorf("CookiesForeign %d + CookiesBad %d, want the discard counted once", st.CookiesForeign, st.CookiesBad)
				}
				r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
				r.peer.expect(s.tag, wire.TypeCookieAck)
				r.accept()
			})
		})
	}
}

// TestCookieEchoFromListedAddress: the COOKIE ECHO may come from an
// address the INIT listed, and the association then knows both.
func TestCookieEchoFromListedAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		init := peerInit(peerTag, peerTSN)
		init.Params = wire.AppendParam(nil, &wire.AddressParam{Addr: spoofAddr})
		_, s := r.initAck(init)
		other := spoofer(r, spoofAddr)
		other.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		other.expect(s.tag, wire.TypeCookieAck)
		a := r.accept()
		var got []netip.Addr
		for _, p := range a.Paths() {
			got = append(got, p.Remote.Addr())
		}
		if len(got) != 2 {
			t.Errorf("paths to %v, want the INIT's source %v and %v", got, addrB, spoofAddr)
		}
	})
}

// TestCookieEchoAfterNATRebinding: the UDP port may change between INIT
// and COOKIE ECHO; the COOKIE ACK goes to the new one.
func TestCookieEchoAfterNATRebinding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		_, s := r.initAck(peerInit(peerTag, peerTSN))
		r.peer.rebind(natPort).Close()
		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		if pk := r.peer.expect(s.tag, wire.TypeCookieAck); pk.udpPort != natPort {
			t.Errorf("COOKIE ACK to UDP port %d, want %d", pk.udpPort, natPort)
		}
		r.accept()
	})
}

// spoofer returns a scripted sender on a host of its own with address
// addr, as an attacker forging that source address would be.
func spoofer(r *rig, addr netip.Addr) *peer {
	return newPeer(r.t, r.net.AddHost("spoofer "+addr.String(), addr), r.ep)
}
