package registrar

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestLimits reaches each registration limit with one association: the
// registration beyond it is refused with Lack of Resources and counted,
// what the limit allows still works, and the registrar goes on serving
// another pool element and a pool user.
func TestLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		fill    []string // pools of the elements the limit allows, one element each
		over    string   // the pool of the registration refused
		counter func(Refusals) uint64
	}{
		{"elements", Config{MaxElements: 2}, []string{"a", "a"}, "a", func(r Refusals) uint64 { return r.Elements }},
		{"pools", Config{MaxPools: 2}, []string{"a", "b", "a"}, "c", func(r Refusals) uint64 { return r.Pools }},
		{"elements per association", Config{MaxElementsPerAssoc: 3}, []string{"a", "b", "a"}, "a", func(r Refusals) uint64 { return r.ElementsPerAssoc }},
		{"elements per address", Config{MaxElementsPerAddr: 3}, []string{"a", "b", "a"}, "a", func(r Refusals) uint64 { return r.ElementsPerAddr }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newSimEnv(t, tc.cfg, shortLinks)
				flood := env.dial(env.host("flood", peAddr))
				for i, pool := range tc.fill {
					flood.mustRegister(pool, element(wire.PEID(i+1), roundRobin, peAddr))
				}
				flood.mustRegister(tc.fill[0], element(1, roundRobin, peAddr)) // a re-registration takes nothing new
				r := flood.register(tc.over, element(99, roundRobin, peAddr))
				if !r.Reject || !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseLackOfResources}) {
					t.Errorf("registration beyond the limit: %+v", r)
				}
				if s := env.r.Stats(); tc.counter(s.Refused) != 1 || s.ErrorsSent[wire.CauseLackOfResources] != 1 {
					t.Errorf("stats %+v", s)
				}
				pu := env.dial(env.host("pu", puAddr))
				if res := pu.resolve(tc.fill[0], wire.AllItems); len(res.Elements) == 0 {
					t.Errorf("resolution after the limit: %+v", res)
				}
				if tc.name == "elements" || tc.name == "pools" {
					return // the limits of the whole registrar hold for everyone
				}
				other := env.dial(env.host("pe", peAddr2))
				other.mustRegister(tc.over, element(100, roundRobin, peAddr2))
			})
		})
	}
}

// TestElementsPerAddressAcrossAssociations counts the elements of two
// associations from one peer address together.
func TestElementsPerAddressAcrossAssociations(t *testing.T) {
	h := newHandlerRig()
	h.c.cfg.MaxElementsPerAddr = 2
	second := newSession(&fakeConn{peers: []netip.Addr{peAddr}})
	other := newSession(&fakeConn{peers: []netip.Addr{peAddr2}})
	register := func(s *session, id wire.PEID, addr netip.Addr) []wire.CauseCode {
		reg := wire.Registration{Handle: wire.PoolHandle("echo"), Element: element(id, roundRobin, addr)}
		h.c.handle(s, wire.PPIDASAP, wire.AppendASAP(nil, &reg), peerAddrs(s.conn), time.Unix(1700000000, 0))
		var r wire.RegistrationResponse
		m, err := wire.ParseASAP(s.out.buf[:s.out.msgs[0].end])
		if err == nil {
			err = m.Decode(&r)
		}
		s.out.reset()
		if err != nil {
			t.Fatal(err)
		}
		return causeCodes(r.Error.Causes)
	}
	if codes := register(h.s, 1, peAddr); len(codes) != 0 {
		t.Fatal(codes)
	}
	if codes := register(second, 2, peAddr); len(codes) != 0 {
		t.Fatal(codes)
	}
	if codes := register(second, 3, peAddr); !slices.Equal(codes, []wire.CauseCode{wire.CauseLackOfResources}) {
		t.Errorf("third element from one address: %v", codes)
	}
	if codes := register(other, 4, peAddr2); len(codes) != 0 {
		t.Errorf("element from another address: %v", codes)
	}
	h.c.endSession(h.s, time.Unix(1700000001, 0)) // frees one
	if codes := register(second, 3, peAddr); len(codes) != 0 {
		t.Errorf("after one association ended: %v", codes)
	}
}

// TestSessionLimit opens one ASAP association more than MaxSessions: it
// is aborted with a cause that says why, counted, and the others go on.
func TestSessionLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{MaxSessions: 1}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		a, err := env.host("pu", puAddr).Dial(t.Context(), remoteOf(env.r))
		if err == nil { // the abort came after the handshake
			_, _, err = a.RecvMsg(t.Context(), make([]byte, 100))
		}
		if err == nil || !strings.Contains(err.Error(), tooManySessions) {
			t.Errorf("association beyond the limit: %v", err)
		}
		if s := env.r.Stats(); s.Refused.Sessions != 1 || s.Sessions != 1 {
			t.Errorf("stats %+v", s)
		}
		if res := pe.resolve("echo", 0); len(res.Elements) != 1 {
			t.Errorf("resolution after the limit: %+v", res)
		}
	})
}

// TestKeepAlivesPerAssociation checks that an association at its limit
// of elements gets at most that many keep-alives per interval.
func TestKeepAlivesPerAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 4
		env := newSimEnv(t, Config{MaxElementsPerAssoc: limit}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		for i := range 2 * limit {
			pe.register(fmt.Sprint("pool", i), element(wire.PEID(i+1), roundRobin, peAddr))
		}
		acks := make(chan time.Time, 100)
		go pe.answerKeepAlives(acks)
		time.Sleep(3*DefaultKeepAliveInterval + time.Second) // virtual time: three cycles
		if n := env.r.Stats().KeepAlivesSent; n != 3*limit {
			t.Errorf("%d keep-alives in three intervals, want %d", n, 3*limit)
		}
		pe.a.Abort("done")
	})
}
