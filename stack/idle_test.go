package stack

import (
	"runtime"
	"testing"
)

// BenchmarkIdleAssociationMemory establishes many associations between
// loopback endpoints, one client endpoint each to one server endpoint,
// and reports the memory each idle association costs (heap plus
// goroutine stacks, both ends counted separately). The endpoints exist
// before the first measurement, so only the associations are counted.
func BenchmarkIdleAssociationMemory(b *testing.B) {
	const n = 10000
	for b.Loop() {
		se, remote := benchServer(b, n)
		clients := benchClients(b, n)
		before := memInUse()
		cli, srv := dialAll(b, clients, se, remote)
		after := memInUse()
		b.ReportMetric(float64(after-before)/(2*n), "B/assoc")
		runtime.KeepAlive(cli)
		runtime.KeepAlive(srv)
	}
}

// memInUse returns heap and stack bytes in use after a full collection.
func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
