package idlemem

import (
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"testing"
	"time"
)

// Cost is what one idle association costs, in bytes (and goroutines).
type Cost struct {
	Heap       float64 // heap spans in use: live objects and the free slots beside them
	Stack      float64 // goroutine stacks in use
	Goroutines float64
}

// Total is heap and stacks together.
func (c Cost) Total() float64 { return c.Heap + c.Stack }

// Report reports c as the benchmark's metrics.
func (c Cost) Report(b *testing.B) {
	b.ReportMetric(c.Total(), "B/assoc")
	b.ReportMetric(c.Heap, "heap-B/assoc")
	b.ReportMetric(c.Stack, "stack-B/assoc")
	b.ReportMetric(c.Goroutines, "goroutines/assoc")
}

// Quiet is how long an association has carried nothing when it counts
// as idle: long enough for the stack to trim it and park its loop.
const Quiet = 2 * time.Second

// Measure calls open n times, each of which leaves one more idle
// association with c on the server, and returns the cost of each: the growth of
// memory in use from Quiet after the first tenth of the calls, which warm
// up what the process shares (buffer pools, stacks of its long-lived
// goroutines), to Quiet after the last, divided by the rest.
func (c *Client) Measure(n int, open func(i int) error) (Cost, error) {
	warm := n / 10
	var before usage
	for i := range n {
		if i == warm {
			// The warm-up's associations go idle, to be so in both counts.
			if err := c.Idle(Quiet); err != nil {
				return Cost{}, err
			}
			before = inUse()
		}
		if err := open(i); err != nil {
			return Cost{}, err
		}
	}
	if err := c.Idle(Quiet); err != nil {
		return Cost{}, err
	}
	after := inUse()
	if err := writeProfile(); err != nil {
		return Cost{}, err
	}
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n-warm) }
	return Cost{
		Heap:       per(before.heap, after.heap),
		Stack:      per(before.stack, after.stack),
		Goroutines: per(before.goroutines, after.goroutines),
	}, nil
}

// usage is the process's memory in use.
type usage struct{ heap, stack, goroutines uint64 }

var names = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/sched/goroutines:goroutines",
}

// inUse returns the memory in use after two full collections: the second
// frees what the first only unlinked (finalizers, sync.Pool victims), and
// lets the collector shrink stacks that grew while handling a message.
func inUse() usage {
	runtime.GC()
	runtime.GC()
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	return usage{
		heap:       s[0].Value.Uint64() + s[1].Value.Uint64(),
		stack:      s[2].Value.Uint64(),
		goroutines: s[3].Value.Uint64(),
	}
}

// ProfileEnv names the environment variable that, set to a file name,
// makes Measure write a heap profile there while the associations are
// idle (go test's -memprofile is written after they are gone). Read it
// with go tool pprof -sample_index=inuse_space, after running the
// benchmark with -memprofilerate=1 for exact figures.
const ProfileEnv = "IDLEMEM_HEAPPROFILE"

func writeProfile() error {
	name := os.Getenv(ProfileEnv)
	if name == "" {
		return nil
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
