package encap

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mobisctp/mobisctp/internal/cputime"
)

// BenchmarkRequestResponse is the floor under the registrar's resolution
// benchmark (rserpool/registrar BenchmarkResolutions): 1, 8 or 32 clients,
// each on its own transport and waiting for every answer, and one server
// transport that answers each batch it reads with one SendBatch on its
// reader goroutine. Requests and answers are about as long as an SCTP
// packet with a handle resolution and with its response. No SCTP, no
// goroutine between the socket and the answer on the server, one (reader
// to client) on each client: what is left is the kernel's work and Go's
// network poller.
func BenchmarkRequestResponse(b *testing.B) {
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchRequestResponse(b, clients) })
	}
}

func benchRequestResponse(b *testing.B, clients int) {
	const reqLen, respLen = 64, 256
	cfg := Config{Addrs: []netip.Addr{v4a}}
	var srv *Transport
	var answers sync.Pool // of *[]Datagram, one per concurrent batch
	answer := make([]byte, respLen)
	srv = open(b, cfg, func(ds []Datagram) {
		out, _ := answers.Get().(*[]Datagram)
		if out == nil {
			out = new([]Datagram)
		}
		for _, d := range ds {
			*out = append(*out, Datagram{Data: answer, Local: d.Local, Remote: d.Remote})
		}
		if err := srv.SendBatch(*out); err != nil {
			b.Error(err)
		}
		clear(*out)
		*out = (*out)[:0]
		answers.Put(out)
	})
	to := endpoint(srv, v4a)
	var left atomic.Int64
	left.Store(int64(b.N))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range clients {
		got := make(chan struct{}, 1)
		c := open(b, Config{Addrs: []netip.Addr{v4b}}, func(ds []Datagram) {
			for range ds {
				got <- struct{}{}
			}
		})
		req := Datagram{Data: make([]byte, reqLen), Remote: to}
		wg.Go(func() {
			<-start
			for left.Add(-1) >= 0 {
				if err := c.Send(req); err != nil {
					b.Error(err)
					return
				}
				<-got
			}
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := cputime.Process()
	close(start)
	wg.Wait()
	b.StopTimer()
	if cpu1, _ := cputime.Process(); cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/answer")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)*float64(clients), "µs/answer")
	st := srv.Stats()
	b.ReportMetric(float64(st.DatagramsReceived)/float64(max(st.ReadBatches, 1)), "dgrams/read")
}
