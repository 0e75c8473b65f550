package perf

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// watch prints a's events as they happen. The returned channel is closed
// after the last one, when the association has ended.
func (c *console) watch(label string, a *stack.Association) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range a.Events() {
			c.event(label, e.Time, e.String())
		}
	}()
	return done
}

// meter takes the byte counter's growth every interval, from now until ctx
// is done or stop is called, and prints it as an interval line (not in
// JSON mode); stop returns the series. It runs on a timer, not a
// goroutine of its own, so an idle association of a server costs none.
func (c *console) meter(ctx context.Context, label string, bytes *atomic.Uint64) (stop func() []Interval) {
	if c.interval < 0 {
		return func() []Interval { return nil }
	}
	m := &meterState{c: c, label: label, bytes: bytes, start: time.Now()}
	m.prev, m.last, m.next = m.start, bytes.Load(), m.start.Add(c.interval)
	m.mu.Lock()
	m.timer = time.AfterFunc(c.interval, m.tick)
	m.mu.Unlock()
	stopOnDone := context.AfterFunc(ctx, m.halt)
	return func() []Interval {
		stopOnDone()
		m.halt()
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.series
	}
}

// meterState is one meter's series and the timer that extends it.
type meterState struct {
	c       *console
	label   string
	bytes   *atomic.Uint64
	start   time.Time
	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
	prev    time.Time // end of the last interval
	last    uint64    // the counter then
	next    time.Time // when the next interval ends
	series  []Interval
}

// tick closes an interval and sets the timer for the next, on the
// interval's grid like a time.Ticker (a late tick does not shift it).
func (m *meterState) tick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	now, n := time.Now(), m.bytes.Load()
	iv := newInterval(m.prev.Sub(m.start), now.Sub(m.start), n-m.last)
	m.series = append(m.series, iv)
	if !m.c.json {
		m.c.print(intervalLine(m.label, iv))
	}
	m.prev, m.last = now, n
	for !m.next.After(now) {
		m.next = m.next.Add(m.c.interval)
	}
	m.timer.Reset(m.next.Sub(now))
}

// halt stops the meter; a tick under way finishes first.
func (m *meterState) halt() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	m.timer.Stop()
}

func newInterval(from, to time.Duration, bytes uint64) Interval {
	iv := Interval{Start: from.Seconds(), End: to.Seconds(), Bytes: bytes}
	if d := iv.End - iv.Start; d > 0 {
		iv.Mbps = float64(bytes) * 8 / d / 1e6
	}
	return iv
}

// intervalLine shows one interval as iperf3 does: "[#1]  1.00-2.00 s
// 12.34 MB  98.72 Mbit/s".
func intervalLine(label string, iv Interval) string {
	if label != "" {
		label = "[" + label + "] "
	}
	return fmt.Sprintf("%s%6.2f-%-6.2f s  %10.2f MB  %10.2f Mbit/s\n", label, iv.Start, iv.End, float64(iv.Bytes)/1e6, iv.Mbps)
}
