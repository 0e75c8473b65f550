package registrar

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

var (
	videoKey = bytes.Repeat([]byte{0x51}, MinKeyLen) // key 5: pools video and audio
	anyKey   = bytes.Repeat([]byte{0x61}, MinKeyLen) // key 6: every pool
)

// keyedEnv is a registrar with element keys 5 (pools "video" and
// "audio") and 6 (every pool).
func keyedEnv(t *testing.T) *simEnv {
	return newSimEnv(t, Config{ElementKeys: []ElementKey{
		{ID: 5, Key: videoKey, Pools: []wire.PoolHandle{wire.PoolHandle("video"), wire.PoolHandle("audio")}},
		{ID: 6, Key: anyKey},
	}}, simnet.LinkProps{})
}

// keyedElement opens an association to the registrar from a host at addr
// whose endpoint signs with key id, or with the empty key 0 if key is
// nil, or does no SCTP-AUTH at all if noAuth.
func (env *simEnv) keyedElement(addr netip.Addr, id uint16, key []byte, noAuth bool) *client {
	env.t.Helper()
	ep := env.hostConfig(addr.String(), stack.Config{DisableAuth: noAuth}, addr)
	if key != nil {
		ep.SetKey(id, key)
		if err := ep.ActivateKey(id); err != nil {
			env.t.Fatal(err)
		}
	}
	return env.dial(ep)
}

// TestElementKeys checks RFC 5355's rule that a registration may name only
// the pools its key allows: an element key accepts its pools and refuses
// others with Rejection Due to Security Considerations, a key for every
// pool accepts any, registrations without an element key (the empty key
// 0, no SCTP-AUTH) are refused, each refusal is counted by reason, and a
// pool user without a key still gets answers.
func TestElementKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := keyedEnv(t)
		refused := func(c *client, handle string, e wire.PoolElement) {
			t.Helper()
			r := c.register(handle, e)
			if !r.Reject || !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseRejectedSecurity}) {
				t.Errorf("registration for %q: reject %v, causes %v; want Rejection Due to Security Considerations", handle, r.Reject, causeNames(r.Error.Causes))
			}
		}
		video := env.keyedElement(peAddr, 5, videoKey, false)
		video.mustRegister("video", element(1, roundRobin, peAddr))
		video.mustRegister("audio", element(2, roundRobin, peAddr))
		refused(video, "chat", element(3, roundRobin, peAddr))

		all := env.keyedElement(peAddr2, 6, anyKey, false)
		all.mustRegister("chat", element(4, roundRobin, peAddr2))
		all.mustRegister("video", element(5, roundRobin, peAddr2))

		emptyKey := netip.MustParseAddr("192.0.2.4")
		refused(env.keyedElement(emptyKey, 0, nil, false), "video", element(6, roundRobin, emptyKey))
		noAuth := netip.MustParseAddr("192.0.2.5")
		refused(env.keyedElement(noAuth, 0, nil, true), "video", element(7, roundRobin, noAuth))

		pu := env.dial(env.host("user", puAddr))
		if res := pu.resolve("video", 4); len(res.Elements) != 2 {
			t.Errorf("pool user got %d elements of video, want 2", len(res.Elements))
		}
		st := env.r.Stats()
		if st.Elements != 4 || st.Refused.KeyPool != 1 || st.Refused.NoKey != 2 || st.RegistrationsRefused != 3 {
			t.Errorf("elements %d, refused %+v, registrations refused %d; want 4, KeyPool 1, NoKey 2, 3",
				st.Elements, st.Refused, st.RegistrationsRefused)
		}
		wantMetrics(t, parseMetrics(t, env.r.Metrics()), map[string]uint64{
			`refusals_total{reason="no_key"}`: 2, `refusals_total{reason="key_pool"}`: 1,
		})
	})
}

// TestElementKeysOff checks that without element keys any registration
// is accepted, as before.
func TestElementKeysOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, simnet.LinkProps{})
		env.keyedElement(peAddr, 0, nil, true).mustRegister("chat", element(1, roundRobin, peAddr))
		env.keyedElement(peAddr2, 0, nil, false).mustRegister("chat", element(2, roundRobin, peAddr2))
	})
}

// TestElementKeysValidate checks that keys that cannot work are refused
// when the registrar starts.
func TestElementKeysValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []ElementKey
	}{
		{"key 0", []ElementKey{{ID: 0, Key: anyKey}}},
		{"twice", []ElementKey{{ID: 3, Key: anyKey}, {ID: 3, Key: videoKey}}},
		{"short", []ElementKey{{ID: 3, Key: anyKey[:MinKeyLen-1]}}},
	} {
		if _, err := Listen(Config{ElementKeys: tc.keys}); err == nil {
			t.Errorf("%s: Listen accepted %+v", tc.name, tc.keys)
		}
	}
}

// TestElementKeyClaim checks that Config.TakeOver learns which key
// authenticated a claim, so that it can let a key holder take over an
// element another living association registered.
func TestElementKeyClaim(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var claims []Claim
		env := newSimEnv(t, Config{
			ElementKeys: []ElementKey{{ID: 5, Key: videoKey}, {ID: 6, Key: anyKey}},
			TakeOver: func(c Claim) bool {
				claims = append(claims, c)
				return c.Authenticated && c.KeyID == 6
			},
		}, simnet.LinkProps{})
		env.keyedElement(peAddr, 5, videoKey, false).mustRegister("video", element(1, roundRobin, peAddr))
		if r := env.keyedElement(peAddr2, 5, videoKey, false).register("video", element(1, roundRobin, peAddr2)); !r.Reject {
			t.Error("claim with key 5 accepted")
		}
		env.keyedElement(netip.MustParseAddr("192.0.2.4"), 6, anyKey, false).mustRegister("video", element(1, roundRobin, netip.MustParseAddr("192.0.2.4")))
		if len(claims) != 2 || claims[0].KeyID != 5 || claims[1].KeyID != 6 || !claims[0].Authenticated || !claims[1].Authenticated {
			t.Errorf("claims %+v, want key 5 then key 6, authenticated", claims)
		}
	})
}

// TestElementKeysTrustPeers checks the rule keys.go documents: element
// keys bind registrations at the home registrar only. A registrar whose
// element keys allow only pool "video" takes a peer's Handle Update for an
// element of "chat" registered there without a key, and takes that element
// over when the peer dies, keeping it past the keep-alive timeout.
func TestElementKeysTrustPeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		pn.configure = func(cfg *Config) {
			if cfg.ServerID == 2 {
				cfg.ElementKeys = []ElementKey{{ID: 5, Key: videoKey, Pools: []wire.PoolHandle{wire.PoolHandle("video")}}}
			}
		}
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		pn.element(0, "chat", 1)
		waitAgree(t, 10*time.Second, 1, []wire.ServerID{1}, r1, r2)
		dropHost(pn.n, registrarAddr(1))
		waitAgree(t, time.Minute, 1, []wire.ServerID{2}, r2)
		time.Sleep(DefaultKeepAliveInterval + DefaultKeepAliveTimeout + time.Second)
		if !agree(1, []wire.ServerID{2}, r2) {
			t.Errorf("the element taken over was lost: %v", ownerView(r2))
		}
		if st := r2.Stats(); st.Refused.NoKey+st.Refused.KeyPool != 0 {
			t.Errorf("refusals at the peer: %+v", st.Refused)
		}
	})
}

// TestUserKeys checks that a user key allows no registration: an element
// signing with it is refused like one without a key. And a user key
// cannot share an element key's identifier. (That the registrar signs its
// answers with it is asap's TestUserRegistrarMustProveItself.)
func TestUserKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		userKey := bytes.Repeat([]byte{0x71}, MinKeyLen)
		env := newSimEnv(t, Config{ElementKeys: []ElementKey{{ID: 5, Key: videoKey}}, UserKeys: []UserKey{{ID: 7, Key: userKey}}},
			simnet.LinkProps{})
		c := env.keyedElement(peAddr, 7, userKey, false)
		if r := c.register("video", element(1, roundRobin, peAddr)); !r.Reject {
			t.Error("a registration signed with a user key was accepted")
		}
		if st := env.r.Stats(); st.Refused.NoKey != 1 {
			t.Errorf("refusals %+v, want NoKey 1", st.Refused)
		}
	})
	if _, err := Listen(Config{ElementKeys: []ElementKey{{ID: 5, Key: videoKey}}, UserKeys: []UserKey{{ID: 5, Key: anyKey}}}); err == nil {
		t.Error("Listen accepted a user key with an element key's identifier")
	}
}
