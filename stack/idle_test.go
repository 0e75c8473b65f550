package stack

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// BenchmarkIdleAssociationMemory establishes many associations between two
// loopback endpoints and reports the memory each idle association costs
// (heap plus goroutine stacks, both ends counted separately).
func BenchmarkIdleAssociationMemory(b *testing.B) {
	const n = 10000
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Listen(Config{Port: 5003, EphemeralUDPPort: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cli, err := NewEndpoint(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	go func() {
		for {
			if _, err := srv.Accept(ctx); err != nil {
				return
			}
		}
	}()
	before := memInUse()
	remote := Remote{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: 5003, UDPPort: srv.UDPPort()}
	for b.Loop() {
		for i := 0; i < n; i++ {
			if _, err := cli.Dial(ctx, remote); err != nil {
				b.Fatal(err)
			}
		}
	}
	after := memInUse()
	b.ReportMetric(float64(after-before)/(2*n), "B/assoc")
}

// memInUse returns heap and stack bytes in use after a full collection.
func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
