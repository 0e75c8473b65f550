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

// meter redraws the progress line once a second from the byte counter,
// until ctx is done; the returned function stops it and waits. Without a
// progress line it does nothing.
func (c *console) meter(ctx context.Context, bytes *atomic.Uint64) (stop func()) {
	if !c.meters {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var last uint64
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				n := bytes.Load()
				c.progress(progressLine(now.Sub(c.origin), n, n-last))
				last = n
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// progressLine shows the total so far and the rate of the last second.
func progressLine(elapsed time.Duration, total, lastSecond uint64) string {
	return fmt.Sprintf("+%.0fs  %.1f MB  %.2f Mbit/s", elapsed.Seconds(), float64(total)/1e6, float64(lastSecond)*8/1e6)
}
