package simnet

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// TestSteadyTrafficDoesNotAllocate sends datagrams over an impaired link,
// once to warm up the flow, packet and queue memory, then counts the
// allocations of a send and its delivery.
func TestSteadyTrafficDoesNotAllocate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newTestNet(t, 1)
		n.SetDefault(LinkProps{Delay: time.Millisecond, Jitter: time.Millisecond, Duplicate: 0.5, Rate: 1e8})
		sink, err := n.b.Open(portB+1, func([]encap.Datagram) {})
		if err != nil {
			t.Fatal(err)
		}
		d := encap.Datagram{Data: make([]byte, 1200), Local: netip.AddrPortFrom(a1, 0), Remote: netip.AddrPortFrom(b1, uint16(sink.Port()))}
		roundTrip := func() {
			for range 10 {
				if err := n.ca.Send(d); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		for range 100 {
			roundTrip()
		}
		if allocs := testing.AllocsPerRun(100, roundTrip); allocs != 0 {
			t.Errorf("%v allocations per 10 datagrams", allocs)
		}
	})
}

// benchNet is a network of two hosts and a receiving Conn that counts
// datagrams and reports on done when want have arrived.
type benchNet struct {
	*Network
	src  *Conn
	dst  netip.AddrPort
	got  atomic.Int64
	want int64
	done chan struct{}
}

func newBenchNet(b *testing.B, p LinkProps, want int) *benchNet {
	n := New(1)
	b.Cleanup(n.Close)
	n.SetDefault(p)
	bn := &benchNet{Network: n, want: int64(want), done: make(chan struct{})}
	src, err := n.AddHost("a", a1).Open(portA, func([]encap.Datagram) {})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := n.AddHost("b", b1).Open(portB, bn.count); err != nil {
		b.Fatal(err)
	}
	bn.src, bn.dst = src, netip.AddrPortFrom(b1, portB)
	return bn
}

func (bn *benchNet) count(batch []encap.Datagram) {
	if bn.got.Add(int64(len(batch))) == bn.want {
		close(bn.done)
	}
}

func (bn *benchNet) report(b *testing.B) {
	<-bn.done
	b.ReportMetric(float64(bn.want)/b.Elapsed().Seconds(), "datagrams/s")
}

// BenchmarkSend measures datagrams through the network, one Send each,
// over a perfect link and over one with jitter and duplication.
func BenchmarkSend(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    LinkProps
	}{
		{"perfect", LinkProps{}},
		{"impaired", LinkProps{Delay: 100 * time.Microsecond, Jitter: 100 * time.Microsecond, Reorder: 0.01, ReorderDelay: time.Millisecond}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bn := newBenchNet(b, bc.p, b.N)
			d := encap.Datagram{Data: make([]byte, 1200), Local: netip.AddrPortFrom(a1, 0), Remote: bn.dst}
			b.ReportAllocs()
			b.SetBytes(int64(len(d.Data)))
			b.ResetTimer()
			for range b.N {
				if err := bn.src.Send(d); err != nil {
					b.Fatal(err)
				}
			}
			bn.report(b)
		})
	}
}

// BenchmarkBurst sends 10^5 datagrams at once over a jittery link, so that
// the scheduler holds them all and delivers them out of sending order.
func BenchmarkBurst(b *testing.B) {
	const burst = 100_000
	b.ReportAllocs()
	b.SetBytes(burst * 100)
	var total time.Duration
	for range b.N {
		bn := newBenchNet(b, LinkProps{Jitter: time.Millisecond}, burst)
		ds := make([]encap.Datagram, burst)
		for i := range ds {
			ds[i] = encap.Datagram{Data: numbered(i, 100), Local: netip.AddrPortFrom(a1, 0), Remote: bn.dst}
		}
		start := time.Now()
		if err := bn.src.SendBatch(ds); err != nil {
			b.Fatal(err)
		}
		<-bn.done
		total += time.Since(start)
		bn.Close()
	}
	b.ReportMetric(float64(burst*b.N)/total.Seconds(), "datagrams/s")
}
