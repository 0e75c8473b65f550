package testenv

import (
	"sync"
	"testing"
	"time"
)

// StallMeter measures when the test process could not run. A test that
// bounds a wall-clock interval (a failover, a handover's delivery gap)
// fails on a loaded machine for reasons that are not the code's: the
// process gets no CPU for a second and nothing moves, neither the code
// nor its peer nor the test's own pacer. The meter's goroutine asks to
// wake every millisecond; a wake-up that comes more than a few
// milliseconds late marks the time in between as a stall. The test then
// bounds the interval minus the stalls within it: a delay the code causes
// while the process runs (a timer it waits on, a path it should have left)
// still counts in full.
type StallMeter struct {
	mu     sync.Mutex
	stalls []span
}

type span struct{ from, to time.Time }

const (
	stallTick  = time.Millisecond
	stallLimit = 5 * time.Millisecond // lateness that counts as a stall
)

// NewStallMeter starts a meter that runs until the test ends.
func NewStallMeter(tb testing.TB) *StallMeter {
	m := &StallMeter{}
	stop, done := make(chan struct{}), make(chan struct{})
	go m.run(stop, done)
	tb.Cleanup(func() {
		close(stop)
		<-done
	})
	return m
}

func (m *StallMeter) run(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(stallTick)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		now := time.Now()
		if now.Sub(last) > stallTick+stallLimit {
			m.mu.Lock()
			m.stalls = append(m.stalls, span{last.Add(stallTick), now})
			m.mu.Unlock()
		}
		last = now
	}
}

// Within returns how long the process stalled between from and to. A nil
// meter measures nothing.
func (m *StallMeter) Within(from, to time.Time) time.Duration {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum time.Duration
	for _, s := range m.stalls {
		lo, hi := maxTime(s.from, from), minTime(s.to, to)
		if hi.After(lo) {
			sum += hi.Sub(lo)
		}
	}
	return sum
}

// Total returns how long the process stalled since the meter started.
func (m *StallMeter) Total() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum time.Duration
	for _, s := range m.stalls {
		sum += s.to.Sub(s.from)
	}
	return sum
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
