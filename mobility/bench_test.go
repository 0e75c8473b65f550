package mobility

import (
	"fmt"
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
	reportRecovery(b, rec, float64(resent))
}

// BenchmarkRecoveryStack runs b.N simultaneous moves of two mobile nodes
// over the real stack and registrar on the simulated network (5 ms each
// way), the world of simultaneous_test.go: both nodes send a message every
// 10 ms, both lose their address at the same instant and get the other
// one 1 s later, one move a second after the last, symmetric (both pool
// elements) and asymmetric (A a pool user), in both recovery modes. It
// fails, reporting nothing, unless every message arrived once and in
// order, each move recovered and the recovery kept its contract (one
// association, or one failover per move).
//
// It runs in real time, not in a synctest bubble (a benchmark has no
// *testing.T to start one), so the figures include the scheduling of the
// stack's goroutines on a possibly loaded machine; a move takes 2 s. A
// move's recovery is the time from the new addresses to the first
// message at the later of the two ends.
func BenchmarkRecoveryStack(b *testing.B) {
	for _, r := range []Recovery{RecoverReattach, RecoverFailover} {
		for _, sym := range []bool{true, false} {
			b.Run(fmt.Sprintf("%v/symmetric=%v", r, sym), func(b *testing.B) {
				res := runSimultaneous(b, sym, time.Second, b.N, r)
				if b.Failed() {
					b.FailNow()
				}
				rec := make([]time.Duration, b.N)
				for i := range rec {
					rec[i] = max(res.recovery[0][i], res.recovery[1][i])
				}
				reportRecovery(b, rec, float64(res.resent))
			})
		}
	}
}

// reportRecovery reports the median, 90th percentile and worst of the
// recovery times rec, in ms, and the messages resent per move.
func reportRecovery(b *testing.B, rec []time.Duration, resent float64) {
	slices.Sort(rec)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(rec[len(rec)/2]), "ms-median")
	b.ReportMetric(ms(rec[len(rec)*9/10]), "ms-p90")
	b.ReportMetric(ms(rec[len(rec)-1]), "ms-worst")
	b.ReportMetric(resent/float64(len(rec)), "resent/move")
}
