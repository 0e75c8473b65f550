package registrar

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestRegistrationRefused checks every reason to refuse a registration and
// the cause (with its information) that says so.
func TestRegistrationRefused(t *testing.T) {
	tcp := element(9, roundRobin, peAddr)
	tcp.UserTransport.Type = wire.ParamTCPTransport
	control := element(9, roundRobin, peAddr)
	control.UserTransport.Use = wire.DataPlusControl
	noLife := element(9, roundRobin, peAddr)
	noLife.RegLife = 0
	leastUsed := wire.Policy{Type: wire.PolicyLeastUsed}
	unknownPolicy := wire.Policy{Type: 0x7777}
	for _, tc := range []struct {
		name   string
		handle string
		e      wire.PoolElement
		code   wire.CauseCode
		info   []byte // nil: no information expected
	}{
		{"policy mismatch", "echo", element(9, leastUsed, peAddr), wire.CauseInconsistentPolicy, wire.AppendParam(nil, leastUsed)},
		{"unknown policy", "new", element(9, unknownPolicy, peAddr), wire.CauseInvalidValues, wire.AppendParam(nil, unknownPolicy)},
		{"foreign address", "echo", element(9, roundRobin, foreignAddr), wire.CauseRejectedSecurity, nil},
		{"one foreign address", "echo", element(9, roundRobin, peAddr, foreignAddr), wire.CauseRejectedSecurity, nil},
		{"transport protocol", "echo", tcp, wire.CauseInconsistentTransport, wire.AppendParam(nil, &tcp.UserTransport)},
		{"data and control", "echo", control, wire.CauseInconsistentDataControl, nil},
		{"handle too long", strings.Repeat("h", DefaultMaxHandleLen+1), element(9, roundRobin, peAddr), wire.CauseInvalidValues,
			wire.AppendParam(nil, wire.PoolHandle(strings.Repeat("h", DefaultMaxHandleLen+1)))},
		{"identifier 0", "echo", element(0, roundRobin, peAddr), wire.CauseInvalidValues, nil},
		{"no life", "echo", noLife, wire.CauseInvalidValues, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newSimEnv(t, Config{}, shortLinks)
				pe := env.dial(env.host("pe", peAddr))
				pe.mustRegister("echo", element(1, roundRobin, peAddr))
				r := pe.register(tc.handle, tc.e)
				if !r.Reject || len(r.Error.Causes) != 1 || r.Error.Causes[0].Code != tc.code {
					t.Fatalf("response %+v, want a rejection with %v", r, tc.code)
				}
				if info := r.Error.Causes[0].Info; tc.info != nil && !bytes.Equal(info, tc.info) {
					t.Errorf("cause information %x, want %x", info, tc.info)
				}
				if ev := nextEvent(t, env.r, EventRejected); ev.Cause != tc.code {
					t.Errorf("event %v", ev)
				}
				if s := env.r.Stats(); s.RegistrationsRefused != 1 || s.ErrorsSent[tc.code] != 1 || s.Elements != 1 {
					t.Errorf("stats %+v", s)
				}
			})
		})
	}
}

// TestMultihomedRegistration registers an element on both addresses of a
// multi-homed host.
func TestMultihomedRegistration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr, peAddr2))
		pe.mustRegister("echo", element(1, roundRobin, peAddr2, peAddr))
	})
}

// TestLackOfResources fills a handlespace limited to one element.
func TestLackOfResources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{MaxElements: 1}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr)) // an update needs no room
		if r := pe.register("echo", element(2, roundRobin, peAddr)); !r.Reject || r.Error.Causes[0].Code != wire.CauseLackOfResources {
			t.Errorf("response %+v", r)
		}
	})
}

// TestDeregistrationFromAnotherAssociation checks that only an element's
// own association removes it, and that an unknown element deregisters
// successfully.
func TestDeregistrationFromAnotherAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		pe := env.dial(env.host("pe", peAddr))
		pu := env.dial(env.host("pu", puAddr))
		pe.mustRegister("echo", element(1, roundRobin, peAddr))
		pu.send(&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 1})
		if r := expect[wire.DeregistrationResponse](pu); !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseRejectedSecurity}) {
			t.Errorf("response %+v", r)
		}
		pu.send(&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 99})
		if r := expect[wire.DeregistrationResponse](pu); len(r.Error.Causes) != 0 {
			t.Errorf("deregistration of an unknown element: %+v", r)
		}
		if s := env.r.Stats(); s.Elements != 1 {
			t.Errorf("%d elements left, want 1", s.Elements)
		}
	})
}
