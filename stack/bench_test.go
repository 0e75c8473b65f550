package stack

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/cputime"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// benchSeq gives each benchmark pair its own SCTP port.
var benchSeq atomic.Uint32

// benchPair connects two endpoints over real loopback UDP.
func benchPair(b *testing.B, cfg Config) (*Association, *Association) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if len(cfg.LocalAddrs) == 0 {
		// One loopback path, not every address of the host (the default).
		cfg.LocalAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	srvCfg := cfg
	srvCfg.Port = uint16(5100 + benchSeq.Add(1))
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
	peer := cfg.LocalAddrs // both ends have the same addresses
	ca, err := cli.Dial(ctx, Remote{Addrs: peer, Port: srvCfg.Port, UDPPort: srv.UDPPort()})
	if err != nil {
		b.Fatal(err)
	}
	return ca, <-acc
}

func benchThroughput(b *testing.B, size int) { benchThroughputCfg(b, size, Config{}) }

func benchThroughputCfg(b *testing.B, size int, cfg Config) {
	ca, sa := benchPair(b, cfg)
	awaitSearch(b, ca)
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
	cpu0, cpuOK := cputime.Process()
	for b.Loop() {
		if err := ca.SendMsg(ctx, msg, SendInfo{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := ca.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	got := <-done
	if cpu1, _ := cputime.Process(); cpuOK && got > 0 {
		// Both ends, and the collector working for them.
		b.ReportMetric((cpu1-cpu0).Seconds()/(float64(got)/1e9), "CPU-s/GB")
	}
	cs, ss := ca.Stats(), sa.Stats()
	b.Logf("cwnd %d ssthresh %d rwnd %d rtx %d srtt %v; receiver dropped %d chunks (window full)", cs.Paths[0].Cwnd, cs.Paths[0].Ssthresh, cs.PeerRwnd, cs.Retransmissions, cs.Paths[0].SRTT, ss.DataDropped)
	b.ReportMetric(float64(cs.PacketsSent)/float64(max(cs.SendCalls, 1)), "pkts/send")
	b.ReportMetric(float64(ss.PacketsSent)/float64(max(ss.SendCalls, 1)), "sacks/send")
	b.ReportMetric(float64(cs.PacketsSent)/float64(max(ss.PacketsSent, 1)), "data/sack-pkt")
	el := time.Since(start)
	b.ReportMetric(float64(got)*8/el.Seconds()/1e6, "Mbit/s")
	b.ReportMetric(float64(got/size)/el.Seconds(), "msg/s")
}

// awaitSearch waits (a second at most) until a's MTU search, which a
// loopback path completes in two round trips, is done, so that the
// benchmark measures packets of the path's size. Above an Ethernet's
// packet size the search goes on when the transfer starts, which takes
// a round trip on loopback.
func awaitSearch(b *testing.B, a *Association) {
	for range 100 {
		if s := a.Stats().Paths[0].MTUSearch; s == "search-complete" || s == "fixed" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatal("the MTU search did not complete")
}

func BenchmarkLoopback1(b *testing.B)    { benchThroughput(b, 1) }
func BenchmarkLoopback1000(b *testing.B) { benchThroughput(b, 1000) }
func BenchmarkLoopback8000(b *testing.B) { benchThroughput(b, 8000) }

// BenchmarkLoopback1000NoOffload is BenchmarkLoopback1000 without UDP
// segmentation offload: compare the two for what GSO and GRO bring.
func BenchmarkLoopback1000NoOffload(b *testing.B) {
	benchThroughputCfg(b, 1000, Config{NoOffload: true})
}

// BenchmarkLoopback8000NoOffload is BenchmarkLoopback8000 without UDP
// segmentation offload.
func BenchmarkLoopback8000NoOffload(b *testing.B) {
	benchThroughputCfg(b, 8000, Config{NoOffload: true})
}

// BenchmarkLoopback1000TwoPaths is BenchmarkLoopback1000 on an
// association whose ends both have two addresses (127.0.0.1 and
// 127.0.0.2), so two paths each way, heartbeats on the idle one: compare
// the two for what multi-homing costs the data on the primary path.
func BenchmarkLoopback1000TwoPaths(b *testing.B) {
	benchThroughputCfg(b, 1000, Config{LocalAddrs: []netip.Addr{
		netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}})
}

// BenchmarkLoopbackAuthData is BenchmarkLoopback1000 with every DATA
// chunk authenticated (RFC 4895): compare the two for the cost of AUTH per
// packet.
func BenchmarkLoopbackAuthData(b *testing.B) {
	benchThroughputCfg(b, 1000, Config{AuthChunks: []wire.ChunkType{wire.TypeData}})
}

// BenchmarkHandoverGap moves the client of a loopback association from
// 127.0.0.1 to 127.0.0.2 with ASCONF (add, set primary, delete) while the
// server sends a message every 200 µs, and reports the largest gap
// between two deliveries at the client, in milliseconds and in round-trip
// times.
func BenchmarkHandoverGap(b *testing.B) {
	var worst time.Duration
	var srtt time.Duration
	for b.Loop() {
		ca, sa := benchPair(b, Config{})
		ctx := context.Background()
		stop := make(chan struct{})
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_ = sa.SendMsg(ctx, payload(i, 200), SendInfo{})
				time.Sleep(200 * time.Microsecond)
			}
		}()
		gaps := make(chan time.Duration, 1)
		go func() {
			buf := make([]byte, 1000)
			var last time.Time
			var g time.Duration
			for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
				if _, _, err := ca.RecvMsg(ctx, buf); err != nil {
					break
				}
				if now := time.Now(); !last.IsZero() && now.Sub(last) > g {
					g = now.Sub(last)
				}
				last = time.Now()
			}
			gaps <- g
		}()
		time.Sleep(300 * time.Millisecond)
		second := netip.MustParseAddr("127.0.0.2")
		if err := ca.AddLocalAddr(second); err != nil {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		_ = ca.SetPeerPrimary(second)
		_ = ca.RemoveLocalAddr(netip.MustParseAddr("127.0.0.1"))
		worst = max(worst, <-gaps)
		close(stop)
		srtt = sa.Stats().Paths[0].SRTT
		sa.Abort("done")
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-gap")
	if srtt > 0 {
		b.ReportMetric(float64(worst)/float64(srtt), "RTTs")
	}
}

// BenchmarkLoopback8000PMTU1280 is BenchmarkLoopback8000 with a 1280-byte
// PMTU, found by the search (which reaches it at once on loopback) or
// fixed: compare the two for what cutting messages in chunks that fit the
// base size costs (see fragSizes).
func BenchmarkLoopback8000PMTU1280(b *testing.B) {
	b.Run("search", func(b *testing.B) { benchThroughputCfg(b, 8000, Config{PMTU: 1280}) })
	b.Run("fixed", func(b *testing.B) { benchThroughputCfg(b, 8000, Config{PMTU: 1280, PMTUFixed: true}) })
}

// benchPMTU64K is the path MTU of loopback's 64 KiB interface, fixed: the
// regime where a packet bundles about 64 messages of 1000 bytes or 8 of
// 8000, so the stack's per-byte and per-message costs show rather than
// the system calls.
var benchPMTU64K = Config{PMTU: 65535, PMTUFixed: true}

// BenchmarkLoopback1000PMTU64K is BenchmarkLoopback1000 with packets of
// up to 64 KiB.
func BenchmarkLoopback1000PMTU64K(b *testing.B) { benchThroughputCfg(b, 1000, benchPMTU64K) }

// BenchmarkLoopback8000PMTU64K is BenchmarkLoopback8000 with packets of
// up to 64 KiB.
func BenchmarkLoopback8000PMTU64K(b *testing.B) { benchThroughputCfg(b, 8000, benchPMTU64K) }

// BenchmarkLoopback1000PMTU64KNoOffload is BenchmarkLoopback1000PMTU64K
// without UDP segmentation offload.
func BenchmarkLoopback1000PMTU64KNoOffload(b *testing.B) {
	cfg := benchPMTU64K
	cfg.NoOffload = true
	benchThroughputCfg(b, 1000, cfg)
}

// BenchmarkLoopback8000PMTU64KNoOffload is BenchmarkLoopback8000PMTU64K
// without UDP segmentation offload.
func BenchmarkLoopback8000PMTU64KNoOffload(b *testing.B) {
	cfg := benchPMTU64K
	cfg.NoOffload = true
	benchThroughputCfg(b, 8000, cfg)
}
