package handlespace

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/cputime"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// benchTransport stands in for an encoded User Transport parameter: an SCTP
// transport with two IPv4 addresses is about this long.
var benchTransport = make([]byte, 40)

var benchHandle = []byte("bench-pool")

var benchPolicies = []struct {
	name   string
	policy func(id uint32) wire.Policy
}{
	{"RoundRobin", func(uint32) wire.Policy { return wire.Policy{Type: wire.PolicyRoundRobin} }},
	{"WeightedRandom", func(id uint32) wire.Policy {
		return wire.Policy{Type: wire.PolicyWeightedRandom, Weight: 1 + id%16}
	}},
	{"LeastUsed", func(id uint32) wire.Policy {
		return wire.Policy{Type: wire.PolicyLeastUsed, Load: id} // identifiers, and so loads, are scattered
	}},
}

var benchSizes = []int{1_000, 100_000, 1_000_000}

// benchID returns the identifier of the i-th element. PEs choose their
// identifiers at random, so the benchmarks scatter them too (multiplying by
// an odd constant permutes the 32-bit numbers) rather than append each new
// element at the hot right edge of the index.
func benchID(i int) uint32 { return uint32(i) * 0x9E3779B1 }

func benchRegistration(id uint32, p func(uint32) wire.Policy) Registration {
	return Registration{Handle: benchHandle, ID: id, Home: 1, Owner: 1,
		Lifetime: time.Hour, Transport: benchTransport, Policy: p(id)}
}

// fill registers elements 0..n-1 into h.
func fill(tb testing.TB, h *Handlespace, n int, p func(uint32) wire.Policy) {
	for i := range n {
		if _, _, err := h.Register(benchRegistration(benchID(i), p), t0); err != nil {
			tb.Fatal(err)
		}
	}
}

// heapGrowth returns how much the live heap grew while f ran.
func heapGrowth(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc
}

// fixture is a pool of n elements under one policy. Building the million
// element pool takes seconds, so the last fixture is kept for the next
// benchmark run with the same parameters (and only the last, to bound the
// memory held).
type fixture struct {
	key             string
	h               *Handlespace
	bytesPerElement float64
}

var lastFixture *fixture

func getFixture(b *testing.B, policy int, n int) *fixture {
	key := fmt.Sprint(policy, n)
	if lastFixture != nil && lastFixture.key == key {
		return lastFixture
	}
	lastFixture = nil
	f := &fixture{key: key, h: New(Options{Seed: 1})}
	grown := heapGrowth(func() { fill(b, f.h, n, benchPolicies[policy].policy) })
	f.bytesPerElement = float64(grown) / float64(n)
	lastFixture = f
	return f
}

// clock is a benchmark's timer together with a CPU-time meter that pauses
// with it. On a shared machine wall time measures the neighbours as much as
// the code, so the benchmarks also report operations per second of the
// process's CPU time (which includes the garbage collector's).
type clock struct {
	*testing.B
	cpu, since time.Duration
	ok         bool
}

func (c *clock) start() {
	c.B.StartTimer()
	c.since, c.ok = cputime.Process()
}

func (c *clock) stop() {
	c.B.StopTimer()
	now, _ := cputime.Process()
	c.cpu += now - c.since
}

// runSizes runs bench for every policy and pool size, reporting besides ns
// and allocations per operation the operations per second of wall time and
// of CPU time, and the pool's memory per element. bench starts with c
// running and must leave it running.
func runSizes(b *testing.B, bench func(c *clock, h *Handlespace, n int, p func(uint32) wire.Policy)) {
	for pi, p := range benchPolicies {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", p.name, n), func(b *testing.B) {
				f := getFixture(b, pi, n)
				c := &clock{B: b}
				b.ReportAllocs()
				b.ResetTimer()
				c.start()
				bench(c, f.h, n, p.policy)
				c.stop()
				if c.ok {
					b.ReportMetric(float64(b.N)/c.cpu.Seconds(), "ops/cpu-s")
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
				b.ReportMetric(f.bytesPerElement, "B/element")
			})
		}
	}
}

// batch is how many elements the registration benchmarks add (or remove)
// before putting the pool back to its size, with the timer stopped.
const batch = 1000

func BenchmarkRegister(b *testing.B) {
	runSizes(b, func(c *clock, h *Handlespace, n int, p func(uint32) wire.Policy) {
		for i := range c.N {
			h.Register(benchRegistration(benchID(n+i%batch), p), t0)
			if i%batch == batch-1 || i == c.N-1 {
				c.stop()
				for j := range i%batch + 1 {
					h.Deregister(benchHandle, benchID(n+j))
				}
				c.start()
			}
		}
	})
}

func BenchmarkReregister(b *testing.B) {
	runSizes(b, func(c *clock, h *Handlespace, n int, p func(uint32) wire.Policy) {
		for i := range c.N {
			r := benchRegistration(benchID(i%n), p)
			r.Policy.Load ^= uint32(i) // a fresh load report moves least-used elements
			h.Register(r, t0.Add(time.Duration(i)))
		}
	})
}

func BenchmarkDeregister(b *testing.B) {
	runSizes(b, func(c *clock, h *Handlespace, n int, p func(uint32) wire.Policy) {
		for i := range c.N {
			if i%batch == 0 {
				c.stop()
				for j := range batch {
					h.Register(benchRegistration(benchID(n+j), p), t0)
				}
				c.start()
			}
			h.Deregister(benchHandle, benchID(n+i%batch))
		}
		c.stop()
		for j := range batch { // put the pool back to its size
			h.Deregister(benchHandle, benchID(n+j))
		}
		c.start()
	})
}

func BenchmarkResolve3(b *testing.B) {
	runSizes(b, func(c *clock, h *Handlespace, n int, p func(uint32) wire.Policy) {
		dst := make([]*PoolElement, 0, 3)
		for range c.N {
			dst = h.Select(benchHandle, 3, dst[:0])
		}
		if len(dst) != 3 {
			c.Fatalf("resolved %d elements", len(dst))
		}
	})
}
