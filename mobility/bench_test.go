package mobility

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkRecoverySimulated runs simultaneous moves of two nodes in the
// simulated world of sim_test.go, with random registrar and path round
// trips (5-60 ms, 5-100 ms), gaps (0.1-10 s) and skews between the two
// nodes (0-500 ms), symmetric and asymmetric, recovered both ways:
//
//   - reattach: the project's scheme, the same association re-attached by
//     ASCONF (RecoverReattach);
//   - failover: the RSPLIB way, a new association and session failover
//     (RecoverFailover, sim_failover_test.go).
//
// It reports the recovery time (first data at both ends after the later
// node got its address), median and worst, in ms, and the messages the
// application sent again per move, at one message every 10 ms each way
// (none when re-attaching: SCTP retransmits what was in flight on the
// same association). It measures the protocols, not the stack.
func BenchmarkRecoverySimulated(b *testing.B) {
	for _, r := range []Recovery{RecoverReattach, RecoverFailover} {
		b.Run(r.String(), func(b *testing.B) { benchRecovery(b, r) })
	}
}

func benchRecovery(b *testing.B, recovery Recovery) {
	r := rand.New(rand.NewPCG(1, 2))
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Millisecond }
	var rec []time.Duration
	resent := 0
	for i := 0; b.Loop(); i++ {
		s := newSim(b, ms(5, 60), ms(5, 100))
		s.recovery = recovery
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
		for _, n := range []*simNode{a, c} {
			if n.fo != nil {
				resent += n.fo.resent
			}
		}
	}
	slices.Sort(rec)
	b.ReportMetric(float64(rec[len(rec)/2])/1e6, "ms-median")
	b.ReportMetric(float64(rec[len(rec)-1])/1e6, "ms-worst")
	b.ReportMetric(float64(resent)/float64(len(rec)), "resent/move")
}
