package registrar

import (
	"fmt"
	"math"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// distances returns the distance of each element of pool handle in r's
// table, by identifier.
func distances(r *Registrar, handle string) map[wire.PEID]uint32 {
	out := map[wire.PEID]uint32{}
	for _, p := range r.Table().Pools {
		if p.Handle == handle {
			for _, e := range p.Elements {
				out[e.ID] = e.Policy.Distance
			}
		}
	}
	return out
}

// dpfPolicies are the delay-sensitive policies of the test: equal loads
// and weights, so that only the distance tells the elements apart.
var (
	leastUsedDPF      = wire.Policy{Type: wire.PolicyLeastUsedDPF, Load: 1 << 28, LoadDPF: math.MaxUint32 / 1000}
	weightedRandomDPF = wire.Policy{Type: wire.PolicyWeightedRandomDPF, Weight: 1000, WeightDPF: math.MaxUint32 / 100}
)

// Three pool elements at 5, 20 and 40 ms from the registrar (one way)
// register with the delay-sensitive policies. The registrar sets each
// one's distance from its association's smoothed round-trip time, however
// the element set it, and resolutions follow the draft's formulas: Least
// Used DPF always picks the nearest of equally loaded elements, Weighted
// Random DPF picks each in proportion to
// Weight × (1 − Distance × WeightDPF).
func TestDistanceDPF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{Seed: 7, KeepAliveInterval: time.Hour}, shortLinks)
		delays := []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
		var pes []*client
		for i, d := range delays {
			addr := netip.AddrFrom4([4]byte{192, 0, 2, byte(30 + i)})
			env.n.SetLinkBoth(regAddr, addr, simnet.LinkProps{Delay: d})
			pes = append(pes, env.dial(env.host(fmt.Sprintf("pe-%d", i), addr)))
		}
		register := func() {
			for i, pe := range pes {
				addr := pe.a.Paths()[0].Local
				lu, wr := leastUsedDPF, weightedRandomDPF
				lu.Distance, wr.Distance = 1, 1 // an element's own claim counts for nothing
				for handle, pol := range map[string]wire.Policy{"lu": lu, "wr": wr} {
					e := element(wire.PEID(i+1), pol, addr)
					e.RegLife = 3_600_000 // the draws below take a while
					pe.mustRegister(handle, e)
				}
			}
		}
		for range 3 { // the round-trip times are measured as the answers are acknowledged
			register()
			time.Sleep(time.Second)
		}
		dist := distances(env.r, "wr")
		t.Logf("distances (ms) at one-way delays %v: %v", delays, dist)
		for i, d := range delays {
			rtt := 2 * uint32(d/time.Millisecond)
			if got := dist[wire.PEID(i+1)]; got < rtt || got > rtt+250 {
				t.Errorf("element %d at %v: distance %d ms, want the round-trip time %d ms or a little more", i+1, d, got, rtt)
			}
		}
		if dist[1] >= dist[2] || dist[2] >= dist[3] {
			t.Fatalf("distances %v do not grow with the delay", dist)
		}

		pu := env.dial(env.host("pu", puAddr))
		for range 20 {
			if got := pu.resolve("lu", 1).Elements; len(got) != 1 || got[0].ID != 1 || got[0].Policy.Distance != distances(env.r, "lu")[1] {
				t.Fatalf("Least Used DPF chose %+v, want the nearest, element 1, with its distance", got)
			}
		}
		const draws = 3000
		counts := map[wire.PEID]int{}
		for range draws {
			counts[pu.resolve("wr", 1).Elements[0].ID]++
		}
		total := 0.0
		want := map[wire.PEID]float64{}
		for id, d := range dist {
			// The draft's weight, computed here independently.
			p := weightedRandomDPF
			want[id] = max(float64(p.Weight)*(1-float64(d)*float64(p.WeightDPF)/math.MaxUint32), 1)
			total += want[id]
		}
		for id, w := range want {
			p := w / total
			sigma := math.Sqrt(draws * p * (1 - p))
			if got := float64(counts[id]); math.Abs(got-draws*p) > 4*sigma {
				t.Errorf("Weighted Random DPF chose element %d %v times of %d, want %.0f ± %.0f", id, got, draws, draws*p, 4*sigma)
			}
		}
		t.Logf("Weighted Random DPF choices of %d: %v", draws, counts)
	})
}

// An element learned from a peer is as far as the peer says plus the
// round-trip time of the ENRP association with that peer.
func TestDistanceThroughPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		pn.n.SetLinkBoth(registrarAddr(1), registrarAddr(2), simnet.LinkProps{Delay: 25 * time.Millisecond})
		addr := netip.MustParseAddr("10.2.0.1")
		pe := dialRegistrar(t, pn.element0Host("pe", addr), r1)
		for range 3 {
			pe.mustRegister("lu", element(1, leastUsedDPF, addr))
			time.Sleep(time.Second)
		}
		d1, d2 := distances(r1, "lu")[1], distances(r2, "lu")[1]
		t.Logf("distance at the home registrar %d ms, at its peer %d ms", d1, d2)
		if d1 < 20 || d1 > 30 || d2 < d1+50 || d2 > d1+60 {
			t.Errorf("distances %d ms at the home (link RTT 20 ms) and %d ms at the peer (50 ms further)", d1, d2)
		}
	})
}
