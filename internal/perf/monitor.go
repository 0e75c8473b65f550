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
// JSON mode); stop returns the series.
func (c *console) meter(ctx context.Context, label string, bytes *atomic.Uint64) (stop func() []Interval) {
	if c.interval < 0 {
		return func() []Interval { return nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	var series []Interval
	var wg sync.WaitGroup
	tick := time.NewTicker(c.interval)
	start, base := time.Now(), bytes.Load()
	wg.Go(func() {
		defer tick.Stop()
		prev, last := start, base
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				n := bytes.Load()
				iv := newInterval(prev.Sub(start), now.Sub(start), n-last)
				series = append(series, iv)
				if !c.json {
					c.print(intervalLine(label, iv))
				}
				prev, last = now, n
			}
		}
	})
	return func() []Interval {
		cancel()
		wg.Wait()
		return series
	}
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
