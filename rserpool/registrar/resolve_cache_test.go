package registrar

import (
	"bytes"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestResolutionFromCache resolves a pool whose elements share a slot of
// the element cache, and again after elements re-registered with another
// policy weight, transport port or lifetime: each response must show the elements
// as registered at the time, and be what the wire codec writes for them.
func TestResolutionFromCache(t *testing.T) {
	h := newHandlerRig()
	want := map[wire.PEID]wire.PoolElement{}
	register := func(id wire.PEID, weight uint32, port uint16, life uint32) {
		t.Helper()
		e := element(id, wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: weight}, peAddr)
		e.UserTransport.Port, e.RegLife = port, life
		out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.Registration{Handle: wire.PoolHandle("p"), Element: e}))
		if len(out) != 1 {
			t.Fatalf("%d answers to the registration of %d", len(out), id)
		}
		var resp wire.RegistrationResponse
		if decode(t, out[0], &resp); resp.Reject {
			t.Fatalf("registration of %d refused: %+v", id, resp)
		}
		want[id] = e
	}
	resolve := func() {
		t.Helper()
		out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("p"), Items: wire.AllItems}))
		if len(out) != 1 {
			t.Fatalf("%d answers", len(out))
		}
		var resp wire.HandleResolutionResponse
		decode(t, out[0], &resp)
		if len(resp.Elements) != len(want) || resp.Policy != resp.Elements[0].Policy {
			t.Fatalf("response %+v, want %d elements and the first one's policy", resp, len(want))
		}
		seen := map[wire.PEID]bool{}
		for _, got := range resp.Elements {
			w, ok := want[got.ID]
			if !ok || seen[got.ID] {
				t.Errorf("element %d unexpected or twice", got.ID)
			}
			seen[got.ID] = true
			if got.Policy != w.Policy || got.UserTransport.Port != w.UserTransport.Port || got.RegLife != w.RegLife || got.HomeServer != 0xabc {
				t.Errorf("element %d: %+v, want as registered: %+v", got.ID, got, w)
			}
		}
		if b := wire.AppendASAP(nil, &resp); !bytes.Equal(b, out[0].msg) {
			t.Errorf("response\n%x\nwire codec's\n%x", out[0].msg, b)
		}
	}
	for _, id := range []wire.PEID{1, 1 + elementCacheSlots, 2} {
		register(id, 1, 7, 30000)
	}
	resolve()
	resolve()
	register(1, 5, 7, 30000) // another policy weight
	resolve()
	register(1+elementCacheSlots, 1, 9, 30000) // another port
	resolve()
	register(2, 1, 7, 40000) // another lifetime
	resolve()
	resolve()
}

// decode decodes r, which must be an ASAP message of v's type.
func decode(t *testing.T, r reply, v wire.ASAPValue) {
	t.Helper()
	m, err := wire.ParseASAP(r.msg)
	if err == nil {
		err = m.Decode(v)
	}
	if r.ppid != wire.PPIDASAP || err != nil {
		t.Fatalf("answer %x: %v", r.msg, err)
	}
}
