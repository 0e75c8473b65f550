package stack

// SCTP-AUTH (RFC 4895) against a live association, with the scripted peer
// of scripted_authpeer_test.go, which speaks AUTH itself.

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestAuthNegotiatedWithPeer checks the endpoint's side of the AUTH
// handshake (RFC 4895 section 6.1): its INIT ACK offers a 32-byte RANDOM,
// a CHUNKS list and HMAC-ALGO with SHA-1, and lists AUTH, ASCONF and
// ASCONF-ACK as extensions; with a peer that offers the same, the
// association uses AUTH (its keys can be set) and ASCONF.
func TestAuthNegotiatedWithPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, scriptedConfig())
		a, s := r.connectAuth()
		ack := s.initAck
		random, ok := paramOf[wire.RandomParam](t, ack.Params)
		if !ok || len(random.Number) != auth.RandomLen {
			t.Errorf("INIT ACK RANDOM %+v, want %d bytes", random, auth.RandomLen)
		}
		if algos, ok := paramOf[wire.HMACAlgoParam](t, ack.Params); !ok || !slices.Contains(algos.IDs, wire.HMACSHA1) {
			t.Errorf("INIT ACK HMAC-ALGO %+v, want one listing SHA-1", algos)
		}
		exts, ok := paramOf[wire.SupportedExtensionsParam](t, ack.Params)
		if !ok {
			t.Fatal("INIT ACK without Supported Extensions")
		}
		for _, want := range asconfExts {
			if !slices.Contains(exts.Types, want) {
				t.Errorf("Supported Extensions %v lack %s", exts.Types, want)
			}
		}
		if err := a.SetKey(1, []byte("k")); err != nil {
			t.Errorf("SetKey on an association with AUTH: %v", err)
		}
		r.sut.AddAddr(addrA2)
		if err := a.AddLocalAddr(addrA2); err != nil {
			t.Fatalf("AddLocalAddr: %v", err)
		}
		r.expectSigned(s, wire.TypeAsconf)
	})
}

// TestAuthNotNegotiated checks associations without AUTH, or with AUTH but
// without ASCONF: ASCONF is not available (RFC 5061 section 4.1.1 requires
// it to be authenticated), so AddLocalAddr fails with ErrNoASCONF; without
// AUTH the keys cannot be set, nothing is signed, and an ASCONF from the
// peer is an unrecognized chunk.
func TestAuthNotNegotiated(t *testing.T) {
	t.Run("peer without AUTH", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newAuthRig(t, scriptedConfig())
			a, s := r.connect()
			r.sut.AddAddr(addrA2)
			if err := a.AddLocalAddr(addrA2); !errors.Is(err, ErrNoASCONF) {
				t.Errorf("AddLocalAddr: %v, want ErrNoASCONF", err)
			}
			if err := a.SetKey(1, []byte("k")); !errors.Is(err, ErrNoAuth) {
				t.Errorf("SetKey: %v, want ErrNoAuth", err)
			}
			// The peer tries an ASCONF anyway, with DATA after it: the
			// chunk type is unrecognized, skipped and reported (its
			// upper bits are 11), and the DATA is taken.
			req := &wire.Asconf{Serial: peerTSN, Address: addrB, Params: wire.AppendParam(nil, addIP(1, addrB2))}
			r.peer.send(s.epTag, req, s.data(0, "after", wire.FlagImmediate))
			pk := r.peer.expect(s.tag, wire.TypeError, wire.TypeSack)
			causeOf[wire.UnrecognizedChunkCause](t, pk.find(wire.TypeError))
			if len(a.Paths()) != 1 {
				t.Errorf("paths %v after an ASCONF without AUTH", a.Paths())
			}
			sendString(t, a, "plain")
			r.peer.expect(s.tag, wire.TypeData)
		})
	})
	t.Run("peer with AUTH without ASCONF", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newAuthRig(t, scriptedConfig())
			a, s := r.connectWith(auth.NewParams(peerAuthChunks), wire.TypeAuth)
			r.sut.AddAddr(addrA2)
			if err := a.AddLocalAddr(addrA2); !errors.Is(err, ErrNoASCONF) {
				t.Errorf("AddLocalAddr: %v, want ErrNoASCONF", err)
			}
			if err := a.SetKey(1, []byte("k")); err != nil {
				t.Errorf("SetKey: %v", err)
			}
			r.alive(s) // the SACK is signed: AUTH is in use
		})
	})
	t.Run("AUTH disabled here", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cfg := scriptedConfig()
			cfg.DisableAuth = true
			r := newAuthRig(t, cfg)
			ack, _ := r.initAck(authInit(peerTag, peerTSN, auth.NewParams(peerAuthChunks), asconfExts...))
			for _, pt := range []wire.ParamType{wire.ParamRandom, wire.ParamChunks, wire.ParamHMACAlgo} {
				if _, ok := ack.Params.Find(pt); ok {
					t.Errorf("INIT ACK carries %s with AUTH disabled", pt)
				}
			}
			if exts, ok := paramOf[wire.SupportedExtensionsParam](t, ack.Params); ok && slices.ContainsFunc(exts.Types, func(c wire.ChunkType) bool { return slices.Contains(asconfExts, c) }) {
				t.Errorf("Supported Extensions %v with AUTH disabled", exts.Types)
			}
		})
	})
}

// TestAuthChunksListAlwaysHasAsconf checks the CHUNKS parameter of the
// endpoint's INIT and INIT ACK: ASCONF and ASCONF-ACK are always on it
// (RFC 5061 sections 4.1.1 and 4.1.2), with the configured types.
func TestAuthChunksListAlwaysHasAsconf(t *testing.T) {
	for _, extra := range [][]wire.ChunkType{nil, {wire.TypeData}, {wire.TypeHeartbeat, wire.TypeAsconf}} {
		check := func(t *testing.T, ps wire.Params) {
			t.Helper()
			list, ok := paramOf[wire.ChunkListParam](t, ps)
			if !ok {
				t.Fatal("no CHUNKS parameter")
			}
			for _, want := range append([]wire.ChunkType{wire.TypeAsconf, wire.TypeAsconfAck}, extra...) {
				if !slices.Contains(list.Types, want) {
					t.Errorf("CHUNKS %v lacks %s", list.Types, want)
				}
			}
		}
		cfg := scriptedConfig()
		cfg.AuthChunks = extra
		t.Run(typeList(extra)+" in INIT ACK", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, cfg)
				ack, _ := r.initAck(authInit(peerTag, peerTSN, auth.NewParams(nil), asconfExts...))
				check(t, ack.Params)
			})
		})
		t.Run(typeList(extra)+" in INIT", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, cfg)
				r.dial()
				check(t, chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit)).Params)
			})
		})
	}
}

// TestAuthSignsWhatPeerRequires checks that every chunk the peer listed in
// its CHUNKS parameter comes behind an AUTH chunk that verifies with the
// association's key (RFC 4895 section 6.2), COOKIE ACK included, signed
// with the first algorithm of the peer's HMAC-ALGO list (section 6.1);
// chunks the peer did not list come without AUTH.
func TestAuthSignsWhatPeerRequires(t *testing.T) {
	sha1Only := func(t *testing.T) *auth.Params {
		var ps wire.Params
		ps = wire.AppendParam(ps, &wire.RandomParam{Number: bytes.Repeat([]byte{7}, auth.RandomLen)})
		ps = wire.AppendParam(ps, &wire.ChunkListParam{Types: []wire.ChunkType{wire.TypeData, wire.TypeSack}})
		ps = wire.AppendParam(ps, &wire.HMACAlgoParam{IDs: []wire.HMACID{wire.HMACSHA1}})
		p, err := auth.ParseParams(ps)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name   string
		params func(*testing.T) *auth.Params
		hmac   wire.HMACID
	}{
		{"SHA-256 preferred", func(*testing.T) *auth.Params {
			return auth.NewParams([]wire.ChunkType{wire.TypeData, wire.TypeSack, wire.TypeCookieAck, wire.TypeHeartbeatAck})
		}, wire.HMACSHA256},
		{"SHA-1 only", sha1Only, wire.HMACSHA1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				a, s := r.connectWith(tc.params(t), asconfExts...)
				r.alive(s)
				sendString(t, a, "signed data")
				d := r.expectSigned(s, wire.TypeData)
				r.peer.send(s.epTag, heartbeat("hb"))
				r.expectSigned(s, wire.TypeHeartbeatAck)
				if got := s.checkAuth(t, d); got == nil || got.HMACID != tc.hmac || got.KeyID != 0 {
					t.Errorf("DATA signed with %+v, want key 0 and HMAC %d", got, tc.hmac)
				}
			})
		})
	}
}

// TestAuthRequiredChunkWithoutAuth checks RFC 4895 section 6.3: a chunk we
// listed in our CHUNKS parameter is discarded, and counted, unless it
// follows an AUTH chunk that verified; the other chunks of the packet are
// processed.
func TestAuthRequiredChunkWithoutAuth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.AuthChunks = []wire.ChunkType{wire.TypeData}
		r := newAuthRig(t, cfg)
		a, s := r.connectAuth()

		// DATA without AUTH, bundled behind a HEARTBEAT: the HEARTBEAT
		// is answered, the DATA dropped and not acknowledged.
		lost := s.data(0, "unsigned", wire.FlagImmediate)
		r.peer.send(s.epTag, heartbeat("first"), lost)
		r.expectHeartbeatAck(s, "first")
		r.peer.expectSilence(time.Second)
		// DATA ahead of the AUTH chunk that would cover it.
		r.sendRaw(addrB, addrA, s.seal(t, s.epTag, lost, authHere, heartbeat("second")))
		r.expectHeartbeatAck(s, "second")
		r.peer.expectSilence(time.Second)
		if n := a.Stats().Unauthenticated; n != 2 {
			t.Errorf("Unauthenticated = %d, want 2", n)
		}
		// Signed, the same DATA is taken.
		r.sendSigned(s, lost)
		if sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, s.signed(wire.TypeSack)...)); sk.CumTSN != lost.TSN {
			t.Errorf("SACK acknowledges %d, want %d", sk.CumTSN, lost.TSN)
		}
		if got, err := recvString(t, a); err != nil || got != "unsigned" {
			t.Errorf("received %q, %v", got, err)
		}
		if n := a.Stats().AuthFailures; n != 0 {
			t.Errorf("AuthFailures = %d, want 0", n)
		}
	})
}

// TestAuthBadHMAC checks that an AUTH chunk whose HMAC does not verify is
// discarded with every chunk after it, even those that need no
// authentication, and counted; chunks before it are processed (RFC 4895
// section 6.3).
func TestAuthBadHMAC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, authConfig())
		a, s := r.connectAuth()
		d := s.data(0, "after a bad AUTH", wire.FlagImmediate)
		b := s.seal(t, s.epTag, &wire.Sack{CumTSN: s.epTSN - 1, ARwnd: peerRwnd}, authHere, heartbeat("x"), d)
		b[authAt(t, b)+wire.AuthHMACOffset] ^= 0x80
		r.sendRaw(addrB, addrA, b)
		r.peer.expectSilence(time.Second)
		st := a.Stats()
		if st.AuthFailures != 1 || st.SacksReceived != 1 {
			t.Errorf("AuthFailures %d, SACKs received %d; want 1 and 1 (the SACK before the AUTH chunk counts)", st.AuthFailures, st.SacksReceived)
		}
		// The DATA was dropped: sent again signed, it is new.
		r.sendSigned(s, heartbeat("y"), d)
		pk := r.peer.expect(s.tag, s.signed(wire.TypeHeartbeatAck, wire.TypeSack)...)
		if sk := chunkOf[wire.Sack](t, pk); sk.CumTSN != d.TSN || len(sk.Dups) != 0 {
			t.Errorf("SACK %+v, want TSN %d acknowledged once", sk, d.TSN)
		}
	})
}

// TestAuthUnknownKey checks that an AUTH chunk with a Shared Key Identifier
// the association does not have is discarded silently with what follows
// it (RFC 4895 section 6.3).
func TestAuthUnknownKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, authConfig())
		a, s := r.connectAuth()
		s.au.Keys().Set(5, []byte("a key the endpoint lacks"))
		if err := s.au.Keys().Activate(5); err != nil {
			t.Fatal(err)
		}
		r.sendSigned(s, heartbeat("key 5"))
		r.peer.expectSilence(time.Second)
		if n := a.Stats().AuthFailures; n != 1 {
			t.Errorf("AuthFailures = %d, want 1", n)
		}
		if err := s.au.Keys().Activate(0); err != nil {
			t.Fatal(err)
		}
		r.sendSigned(s, heartbeat("key 0"))
		r.expectHeartbeatAck(s, "key 0")
	})
}

// TestAuthUnsupportedHMACIdentifier checks that an AUTH chunk with an HMAC
// identifier we did not list is discarded with what follows it, and
// answered with an ERROR carrying the Unsupported HMAC Identifier cause
// (RFC 4895 sections 4.1 and 6.3).
func TestAuthUnsupportedHMACIdentifier(t *testing.T) {
	for _, id := range []wire.HMACID{0, 2, 0xffff} {
		t.Run(fmt.Sprintf("HMAC %d", id), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, authConfig())
				a, s := r.connectAuth()
				bogus := rawChunk((&wire.Auth{HMACID: id, HMAC: make([]byte, 20)}).Append(nil))
				r.sendRaw(addrB, addrA, s.seal(t, s.epTag, bogus, heartbeat("behind"), s.data(0, "x", wire.FlagImmediate)))
				pk := r.expectSigned(s, wire.TypeError)
				for _, c := range pk.chunks() {
					if c.Type() == wire.TypeError {
						if got := causeOf[wire.UnsupportedHMACCause](t, c); got.ID != id {
							t.Errorf("cause names HMAC %d, want %d", got.ID, id)
						}
					}
				}
				r.peer.expectSilence(time.Second) // neither HEARTBEAT ACK nor SACK
				if st := a.Stats(); st.AuthFailures != 1 || st.State != stateEstablished.String() {
					t.Errorf("AuthFailures %d, state %s", st.AuthFailures, st.State)
				}
			})
		})
	}
}

// badRandom returns AUTH parameters whose Random Number has n bytes.
func badRandom(t *testing.T, n int) wire.Params {
	t.Helper()
	var ps wire.Params
	ps = wire.AppendParam(ps, &wire.RandomParam{Number: bytes.Repeat([]byte{1}, n)})
	ps = wire.AppendParam(ps, &wire.ChunkListParam{Types: []wire.ChunkType{wire.TypeAsconf, wire.TypeAsconfAck}})
	ps = wire.AppendParam(ps, &wire.HMACAlgoParam{IDs: []wire.HMACID{wire.HMACSHA1}})
	return wire.AppendParam(ps, &wire.SupportedExtensionsParam{Types: asconfExts})
}

// TestAuthRandomWrongLength checks RFC 4895 section 6.1: a peer whose
// RANDOM parameter is not 32 bytes long gets an ABORT with a Protocol
// Violation cause, and no association comes up, whether it sent the INIT
// or the INIT ACK.
func TestAuthRandomWrongLength(t *testing.T) {
	for _, n := range []int{16, 33} {
		t.Run(fmt.Sprintf("peer INIT %d bytes", n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				init := peerInit(peerTag, peerTSN)
				init.Params = badRandom(t, n)
				r.peer.send(0, init)
				// The endpoint may refuse the INIT at once, or answer it
				// statelessly and refuse the COOKIE ECHO.
				pk, ok := r.peer.next(time.Millisecond)
				if !ok {
					t.Fatal("no answer to the INIT")
				}
				if pk.find(wire.TypeAbort) == nil {
					r.peer.check(pk, peerTag, []wire.ChunkType{wire.TypeInitAck})
					ack := chunkOf[wire.InitAck](t, pk)
					r.peer.send(ack.InitiateTag, &wire.CookieEcho{Cookie: cookieOf(t, ack)})
					pk, ok = r.peer.next(time.Millisecond)
				}
				switch {
				case !ok:
					t.Errorf("nothing sent after the COOKIE ECHO; want an ABORT with tag %#08x", peerTag)
				case pk.vtag != peerTag || pk.find(wire.TypeAbort) == nil:
					t.Errorf("got %v, want an ABORT with tag %#08x", pk, peerTag)
				default:
					causeOf[wire.ProtocolViolationCause](t, pk.find(wire.TypeAbort))
				}
				synctest.Wait()
				r.noneAccepted()
			})
		})
		t.Run(fmt.Sprintf("peer INIT ACK %d bytes", n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				ch := r.dial()
				init := chunkOf[wire.Init](t, r.peer.expect(0, wire.TypeInit))
				s := &session{tag: peerTag, epTag: init.InitiateTag, tsn: peerTSN, cookie: []byte("cookie")}
				ack := peerInitAck(s)
				ack.Params = wire.AppendParam(badRandom(t, n), &wire.StateCookieParam{Cookie: s.cookie})
				r.peer.send(s.epTag, ack)
				causeOf[wire.ProtocolViolationCause](t, r.peer.expect(peerTag, wire.TypeAbort).find(wire.TypeAbort))
				if res := r.dialed(ch); res.err == nil {
					t.Error("Dial succeeded")
				}
			})
		})
	}
}

// TestAuthEndpointKeys checks endpoint-pair shared keys set on the
// endpoint before the association (RFC 4895 section 6.1): the association
// signs with the active one, and takes packets signed with any of its
// keys, the initial empty key 0 included.
func TestAuthEndpointKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, authConfig())
		secret := []byte("endpoint-pair shared key 1")
		r.ep.SetKey(1, secret)
		if err := r.ep.ActivateKey(1); err != nil {
			t.Fatal(err)
		}
		if err := r.ep.ActivateKey(9); err == nil {
			t.Error("ActivateKey of a missing key succeeded")
		}
		_, s := r.connectAuth()
		s.au.Keys().Set(1, secret)
		r.sendSigned(s, heartbeat("key 0"))
		if got := s.checkAuth(t, r.expectSigned(s, wire.TypeHeartbeatAck)); got.KeyID != 1 {
			t.Errorf("signed with key %d, want the active key 1", got.KeyID)
		}
		if err := s.au.Keys().Activate(1); err != nil {
			t.Fatal(err)
		}
		r.sendSigned(s, heartbeat("key 1"))
		r.expectHeartbeatAck(s, "key 1")
	})
}

// TestAuthAssociationKeys checks the keys of a running association: a
// packet signed with key 1 is dropped until the association has key 1
// with the same bytes, Endpoint.SetKey does not change a running
// association, the active key cannot be deleted, and a deleted key no
// longer verifies.
func TestAuthAssociationKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAuthRig(t, authConfig())
		a, s := r.connectAuth()
		secret := []byte("association key 1")
		s.au.Keys().Set(1, secret)
		if err := s.au.Keys().Activate(1); err != nil {
			t.Fatal(err)
		}
		dropped := func(what string, failures uint64) {
			t.Helper()
			r.sendSigned(s, heartbeat(what))
			r.peer.expectSilence(time.Second)
			if n := a.Stats().AuthFailures; n != failures {
				t.Errorf("%s: AuthFailures = %d, want %d", what, n, failures)
			}
		}
		dropped("no key 1", 1)
		r.ep.SetKey(1, secret) // for associations to come
		dropped("key 1 on the endpoint only", 2)
		if err := a.SetKey(1, []byte("other bytes")); err != nil {
			t.Fatal(err)
		}
		dropped("key 1 with other bytes", 3)
		if err := a.SetKey(1, secret); err != nil {
			t.Fatal(err)
		}
		r.sendSigned(s, heartbeat("same key 1"))
		r.expectHeartbeatAck(s, "same key 1")

		if err := a.ActivateKey(1); err != nil {
			t.Fatal(err)
		}
		r.sendSigned(s, heartbeat("ours"))
		if got := s.checkAuth(t, r.expectSigned(s, wire.TypeHeartbeatAck)); got.KeyID != 1 {
			t.Errorf("signed with key %d after ActivateKey(1)", got.KeyID)
		}
		if err := a.DeleteKey(1); err == nil {
			t.Error("DeleteKey of the active key succeeded")
		}
		if err := a.DeleteKey(0); err != nil {
			t.Fatal(err)
		}
		if err := s.au.Keys().Activate(0); err != nil {
			t.Fatal(err)
		}
		dropped("deleted key 0", 4)
		if err := a.ActivateKey(7); err == nil {
			t.Error("ActivateKey of a missing key succeeded")
		}
	})
}
