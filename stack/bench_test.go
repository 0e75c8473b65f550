package stack

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"
)

// benchPair connects two endpoints over real loopback UDP.
func benchPair(b *testing.B, cfg Config) (*Association, *Association) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srvCfg := cfg
	srvCfg.Port = 5002
	srv, err := Listen(srvCfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	cli, err := NewEndpoint(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cli.Close() })
	acc := make(chan *Association, 1)
	go func() {
		a, _ := srv.Accept(ctx)
		acc <- a
	}()
	ca, err := cli.Dial(ctx, Remote{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: 5002, UDPPort: srv.UDPPort()})
	if err != nil {
		b.Fatal(err)
	}
	return ca, <-acc
}

func benchThroughput(b *testing.B, size int) {
	ca, sa := benchPair(b, Config{})
	ctx := context.Background()
	done := make(chan int)
	go func() {
		buf := make([]byte, 1<<16)
		n := 0
		for {
			k, _, err := sa.RecvMsg(ctx, buf)
			if errors.Is(err, io.EOF) || err != nil {
				done <- n
				return
			}
			n += k
		}
	}()
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if err := ca.SendMsg(ctx, msg, SendInfo{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := ca.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	got := <-done
	cs, ss := ca.Stats(), sa.Stats()
	b.Logf("cwnd %d ssthresh %d rwnd %d rtx %d srtt %v", cs.Paths[0].Cwnd, cs.Paths[0].Ssthresh, cs.PeerRwnd, cs.Retransmissions, cs.Paths[0].SRTT)
	b.ReportMetric(float64(cs.PacketsSent)/float64(max(cs.SendCalls, 1)), "pkts/send")
	b.ReportMetric(float64(ss.PacketsSent)/float64(max(ss.SendCalls, 1)), "sacks/send")
	b.ReportMetric(float64(cs.PacketsSent)/float64(max(ss.PacketsSent, 1)), "data/sack-pkt")
	el := time.Since(start)
	b.ReportMetric(float64(got)*8/el.Seconds()/1e6, "Mbit/s")
	b.ReportMetric(float64(got/size)/el.Seconds(), "msg/s")
}

func BenchmarkLoopback1(b *testing.B)    { benchThroughput(b, 1) }
func BenchmarkLoopback1000(b *testing.B) { benchThroughput(b, 1000) }
func BenchmarkLoopback8000(b *testing.B) { benchThroughput(b, 8000) }
