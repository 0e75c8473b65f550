package registrar

import (
	"net/netip"
	"testing"

	"github.com/mobisctp/mobisctp/internal/idlemem"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// BenchmarkIdleAssociationMemory opens 2000 ASAP associations to a
// registrar on loopback, each of which resolves a pool once and then
// stays idle, and reports what each costs the registrar's process,
// counted as internal/idlemem counts it for the stack and the perf server
// too: heap and goroutine stacks in use after a full collection, the
// association, its endpoint entries, the session and their goroutines.
// The peers are idlemem's stateless raw client, so that only the
// registrar's side is measured.
func BenchmarkIdleAssociationMemory(b *testing.B) {
	n := 2000
	if testing.Short() {
		n = 10
	}
	var c idlemem.Cost
	for b.Loop() {
		c = idleCost(b, n)
	}
	c.Report(b)
}

// TestIdleSessionsParked checks that idle ASAP associations leave the
// registrar no goroutine: neither the association's loop nor the
// session's reader.
func TestIdleSessionsParked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits twice idlemem.Quiet")
	}
	if c := idleCost(t, 40); c.Goroutines > 0.1 {
		t.Errorf("%.2f goroutines per idle association, want none", c.Goroutines)
	}
}

// idleCost opens n associations to a fresh registrar, resolves a pool on
// each, and returns the cost of each.
func idleCost(b testing.TB, n int) idlemem.Cost {
	r := newLoopback(b, Config{MaxSessions: n + 1})
	defer r.Close()
	client, err := idlemem.NewClient(netip.AddrPortFrom(loopback, r.UDPPort()), r.Port(), n)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	req := wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("idle")})
	cost, err := client.Measure(n, func(i int) error {
		a, err := client.Handshake(uint16(10000 + i))
		if err != nil {
			return err
		}
		return client.Send(&a, wire.PPIDASAP, req, true)
	})
	if err != nil {
		b.Fatal(err)
	}
	return cost
}
