package registrar

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mobisctp/mobisctp/internal/cputime"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// BenchmarkResolutions measures Handle Resolutions per second answered by
// a registrar on loopback to pool users on their own associations, each
// waiting for every answer before its next request. With one user,
// µs/resolution is one round trip; packets/resolution counts the SCTP
// packets the users sent and received (2: the request and the answer,
// each carrying the SACK of the other).
func BenchmarkResolutions(b *testing.B) {
	for _, users := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) { benchResolutions(b, users) })
	}
}

func benchResolutions(b *testing.B, users int) {
	r := newLoopback(b, Config{})
	pe := dialRegistrar(b, loopbackEndpoint(b), r)
	for id := range wire.PEID(3) {
		pe.mustRegister("bench", element(id+1, roundRobin, loopback))
	}
	pus := make([]*stack.Association, users)
	for i := range pus {
		pus[i] = dialRegistrar(b, loopbackEndpoint(b), r).a
	}
	req := wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("bench")})
	// Warm up each association: its first answer finds cwnd and RTO at
	// their initial values.
	for _, a := range pus {
		var one atomic.Int64
		one.Store(1)
		if err := resolveLoop(a, req, &one); err != nil {
			b.Fatal(err)
		}
	}
	resolved := r.Stats().Resolutions
	packets := func() (n uint64) {
		for _, a := range pus {
			st := a.Stats()
			n += st.PacketsSent + st.PacketsReceived
		}
		return n
	}
	before, out := packets(), r.ep.Stats()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := cputime.Process()
	for _, a := range pus {
		wg.Go(func() {
			if err := resolveLoop(a, req, &left); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if cpu1, _ := cputime.Process(); cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/resolution")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resolutions/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)*float64(users), "µs/resolution")
	b.ReportMetric(float64(packets()-before)/float64(b.N), "packets/resolution")
	st := r.ep.Stats() // the registrar's: answers per system call
	b.ReportMetric(float64(st.Packets-out.Packets)/float64(max(st.Sends-out.Sends, 1)), "answers/send")
	if s := r.Stats(); s.Resolutions-resolved != uint64(b.N) {
		b.Errorf("%d resolutions answered, want %d", s.Resolutions-resolved, b.N)
	}
}

// resolveLoop is a minimal pool user: it sends req and reads the answer,
// which must be a Handle Resolution Response, until left runs out.
func resolveLoop(a *stack.Association, req []byte, left *atomic.Int64) error {
	ctx := context.Background()
	buf := make([]byte, maxMessage)
	for left.Add(-1) >= 0 {
		if err := a.SendMsg(ctx, req, stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
			return err
		}
		n, _, err := a.RecvMsg(ctx, buf)
		if err != nil {
			return err
		}
		if m, err := wire.ParseASAP(buf[:n]); err != nil || m.Type() != wire.ASAPHandleResolutionResponse {
			return fmt.Errorf("answer %x", buf[:n])
		}
	}
	return nil
}
