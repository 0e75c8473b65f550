package mobility

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkRecoverySimulated runs simultaneous moves of two controllers in
// the simulated world of sim_test.go, with random registrar and path
// round trips (5-60 ms, 5-100 ms), gaps (0.1-10 s) and skews between the
// two nodes (0-500 ms), symmetric and asymmetric, and reports the
// recovery time (first data at both ends after the later node got its
// address): median and worst, in ms. It measures the controller's
// protocol, not the stack's.
func BenchmarkRecoverySimulated(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Millisecond }
	var rec []time.Duration
	for i := 0; b.Loop(); i++ {
		s := newSim(b, ms(5, 60), ms(5, 100))
		a, c := pair(s, i%2 == 0, true)
		move, gap, skew := epoch.Add(time.Second), ms(100, 10000), ms(0, 500)
		a.move(move, gap, a2)
		c.move(move, gap+skew, b2)
		s.run(move.Add(gap + skew + 30*time.Second))
		ea, okA := a.first(EventFirstData)
		ec, okC := c.first(EventFirstData)
		if !okA || !okC {
			b.Fatalf("move %d did not recover", i)
		}
		last := ea.Time
		if ec.Time.After(last) {
			last = ec.Time
		}
		rec = append(rec, last.Sub(move.Add(gap+skew)))
	}
	slices.Sort(rec)
	b.ReportMetric(float64(rec[len(rec)/2])/1e6, "ms-median")
	b.ReportMetric(float64(rec[len(rec)-1])/1e6, "ms-worst")
}
