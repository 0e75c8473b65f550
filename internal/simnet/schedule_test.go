package simnet

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func compareFlights(x, y flight) int {
	switch {
	case x.before(y):
		return -1
	case y.before(x):
		return 1
	}
	return 0
}

// TestScheduleIsAPriorityQueue checks pushes and pops, interleaved, against
// a plain slice searched for its minimum.
func TestScheduleIsAPriorityQueue(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var (
		s   schedule
		ref []flight
	)
	for seq := range uint64(20000) {
		f := flight{due: time.Duration(r.IntN(50)), seq: seq} // many equal due times
		s.push(f)
		ref = append(ref, f)
		for r.IntN(2) == 0 && s.len() > 0 {
			i := slices.Index(ref, slices.MinFunc(ref, compareFlights))
			if got := s.pop(); got != ref[i] {
				t.Fatalf("pop = %+v, want %+v", got, ref[i])
			}
			ref = slices.Delete(ref, i, i+1)
		}
	}
	slices.SortFunc(ref, compareFlights)
	for _, want := range ref {
		if got := s.pop(); got != want {
			t.Fatalf("pop = %+v, want %+v", got, want)
		}
	}
	if s.len() != 0 {
		t.Errorf("%d flights left", s.len())
	}
}

func TestFIFOKeepsOrderAcrossGrowth(t *testing.T) {
	var q fifo[int]
	next, want := 0, 0
	for round := range 50 {
		for range round * 3 { // pushes outpace pops, so the ring wraps and grows
			q.push(next)
			next++
		}
		for range round * 2 {
			if q.peek() != want {
				t.Fatalf("peek = %d, want %d", q.peek(), want)
			}
			if got := q.pop(); got != want {
				t.Fatalf("pop = %d, want %d", got, want)
			}
			want++
		}
	}
	if q.len() != next-want {
		t.Errorf("len = %d, want %d", q.len(), next-want)
	}
}
