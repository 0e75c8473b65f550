package asap

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// A pool user gets the distance the registrar measured to a
// delay-sensitive element (draft-dreibholz-rserpool-delay), and its cache
// keeps it.
func TestUserCacheKeepsDistance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		r, _, reg := w.registrar("registrar", reg1Addr)
		w.n.SetLinkBoth(reg1Addr, pe1Addr, simnet.LinkProps{Delay: 30 * time.Millisecond})
		pol := wire.Policy{Type: wire.PolicyLeastUsedDPF, LoadDPF: 1 << 20}
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, Policy: pol, ReregInterval: time.Second})
		elementEvent(t, e, ElementRegistered)
		elementEvent(t, e, ElementReregistered) // measured by now
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		for i := range 2 {
			els, err := u.Resolve(t.Context(), echoHandle)
			if err != nil || len(els) != 1 {
				t.Fatalf("resolution %d: %v, %v", i, els, err)
			}
			if d := els[0].Policy.Distance; d < 60 || d > 70 {
				t.Errorf("resolution %d: distance %d ms, want the 60 ms round trip", i, d)
			}
		}
		if n := r.Stats().Resolutions; n != 1 {
			t.Errorf("%d resolutions at the registrar, want 1: the second comes from the cache", n)
		}
	})
}
