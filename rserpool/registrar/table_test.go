package registrar

import (
	"fmt"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestFetchTableInParts reads a handle table that takes several ENRP
// Handle Table Responses, with a pool split across two of them, and
// compares it with the in-process table.
func TestFetchTableInParts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{MaxTableEntries: 7, KeepAliveInterval: time.Hour}, shortLinks)
		pe := env.dial(env.host("pe", peAddr, peAddr2))
		for i := range 20 {
			pol := wire.Policy{Type: wire.PolicyWeightedRandom, Weight: uint32(i)}
			pe.mustRegister(fmt.Sprintf("pool-%d", i%3), element(wire.PEID(100+i), pol, peAddr, peAddr2))
		}
		got, err := FetchTable(t.Context(), env.host("hsdump", puAddr), remoteOf(env.r))
		if err != nil {
			t.Fatal(err)
		}
		want := env.r.Table()
		for i := range want.Pools { // what ENRP does not carry
			for j := range want.Pools[i].Elements {
				e := &want.Pools[i].Elements[j]
				e.Registered, e.Expires, e.Reports = time.Time{}, time.Time{}, 0
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("fetched table\n%+v\nwant\n%+v", got, want)
		}
		c := env.r.core
		c.mu.Lock()
		wantSums := []OwnerSum{{Server: env.r.ServerID(), Elements: 20, Checksum: c.hs.Checksum(uint32(env.r.ServerID()))}}
		c.mu.Unlock()
		if sums := got.Checksums(); !reflect.DeepEqual(sums, wantSums) {
			t.Errorf("checksums of the fetched table %+v, want the registrar's own %+v", sums, wantSums)
		}
		if n := env.r.Stats().TableRequests; n != 3 {
			t.Errorf("%d handle table requests, want 3 for 20 elements by 7", n)
		}
	})
}
