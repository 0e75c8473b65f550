package encap

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkThroughput measures one-way loopback throughput of 1000-byte
// datagrams between two transports, sent in SendBatch calls of 32: with
// batched system calls and offload (GSO and GRO where the OS has them),
// with batched system calls only, and with one system call per datagram;
// and the first with the ICMP error queue on (Config.PacketTooBig), which
// must cost nothing while no error comes.
// The custom metrics count what arrived, from the first send to the last
// arrival; allocs/op include the receiver's.
func BenchmarkThroughput(b *testing.B) {
	b.Run("offload32", func(b *testing.B) { benchThroughput(b, Config{BatchSize: 32}) })
	b.Run("offload32-ptb", func(b *testing.B) { benchThroughput(b, Config{BatchSize: 32, PacketTooBig: func(PacketTooBig) {}}) })
	b.Run("batch32", func(b *testing.B) { benchThroughput(b, Config{BatchSize: 32, NoOffload: true}) })
	b.Run("nobatch", func(b *testing.B) { benchThroughput(b, Config{BatchSize: 1}) })
}

// benchThroughput runs the benchmark between two transports of config
// cfg (without addresses).
func benchThroughput(b *testing.B, cfg Config) {
	const size, burst = 1000, 32
	var (
		got  atomic.Int64
		last atomic.Int64 // UnixNano of the latest arrival
		more = make(chan struct{}, 1)
	)
	rxCfg, txCfg := cfg, cfg
	rxCfg.Addrs, txCfg.Addrs = []netip.Addr{v4b}, []netip.Addr{v4a}
	rx := open(b, rxCfg, func(ds []Datagram) {
		got.Add(int64(len(ds)))
		last.Store(time.Now().UnixNano())
		select {
		case more <- struct{}{}:
		default:
		}
	})
	tx := open(b, txCfg, ignore)
	ds := make([]Datagram, burst)
	for i := range ds {
		ds[i] = Datagram{Data: make([]byte, size), Remote: endpoint(rx, v4b)}
	}

	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; sent += burst {
		if err := tx.SendBatch(ds[:min(burst, b.N-sent)]); err != nil {
			b.Fatal(err)
		}
	}
	awaitQuiet(&got, more, int64(b.N))
	b.StopTimer()

	n, elapsed := got.Load(), time.Duration(last.Load()-start.UnixNano())
	b.ReportMetric(float64(n)/elapsed.Seconds(), "dgrams/s")
	b.ReportMetric(float64(n*size*8)/elapsed.Seconds()/1e9, "Gbit/s")
	b.ReportMetric(100*float64(int64(b.N)-n)/float64(b.N), "lost%")
	st := rx.Stats() // datagrams per handler call: GRO makes them more
	b.ReportMetric(float64(st.DatagramsReceived)/float64(max(st.ReadBatches, 1)), "dgrams/read")
}

// awaitQuiet returns when want datagrams have arrived or none has for a
// while (the rest were lost to a full receive buffer).
func awaitQuiet(got *atomic.Int64, more <-chan struct{}, want int64) {
	const quiet = 200 * time.Millisecond
	idle := time.NewTimer(quiet)
	defer idle.Stop()
	for got.Load() < want {
		select {
		case <-more:
			idle.Reset(quiet)
		case <-idle.C:
			return
		}
	}
}
