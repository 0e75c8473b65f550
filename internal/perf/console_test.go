package perf

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestMeterPrintsIntervals: every interval a line with the bytes and the
// rate of that interval, and the same series for the report.
func TestMeterPrintsIntervals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out strings.Builder
		c := newConsole(Output{Stdout: &out})
		var n atomic.Uint64
		stop := c.meter(context.Background(), "#1", &n)
		n.Add(1_000_000)
		time.Sleep(1500 * time.Millisecond)
		n.Add(250_000)
		time.Sleep(time.Second)
		series := stop()
		want := "[#1]   0.00-1.00   s        1.00 MB        8.00 Mbit/s\n" +
			"[#1]   1.00-2.00   s        0.25 MB        2.00 Mbit/s\n"
		if out.String() != want {
			t.Errorf("printed\n%q, want\n%q", out.String(), want)
		}
		if len(series) != 2 || series[1] != (Interval{Start: 1, End: 2, Bytes: 250_000, Mbps: 2}) {
			t.Errorf("series %+v", series)
		}
	})
}

func TestConsoleJSONKeepsEventsOffStdout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var stdout, stderr strings.Builder
		c := newConsole(Output{Stdout: &stdout, Stderr: &stderr, JSON: true})
		var n atomic.Uint64
		stop := c.meter(context.Background(), "", &n)
		c.event("", time.Now(), "comm-up")
		n.Add(1000)
		time.Sleep(1500 * time.Millisecond)
		if series := stop(); len(series) != 1 || series[0].Bytes != 1000 {
			t.Errorf("series %+v", series)
		}
		if stdout.Len() != 0 || !strings.Contains(stderr.String(), "comm-up") {
			t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
		}
	})
}
