package registrar

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// BenchmarkIdleAssociationMemory opens 2000 ASAP associations to a
// registrar on loopback, each of which resolves a pool once and then
// stays idle, and reports the memory each costs, heap and goroutine
// stacks counted (as stack.BenchmarkIdleAssociationMemory counts them):
//
//   - B/assoc-both-ends: the whole process (the client's end too) per
//     association;
//   - B/assoc-stack-both-ends: the same for associations to a bare stack
//     endpoint that accepts and holds them;
//   - B/assoc-registrar-share: the difference, what the registrar adds to
//     the stack per association (its session: goroutine, buffers, state);
//   - B/assoc-registrar-side: everything on the registrar's side, taking
//     half the bare figure as the server end's stack share.
func BenchmarkIdleAssociationMemory(b *testing.B) {
	const n = 2000
	for b.Loop() {
		bare := idleCost(b, n, false)
		full := idleCost(b, n, true)
		b.ReportMetric(full, "B/assoc-both-ends")
		b.ReportMetric(bare, "B/assoc-stack-both-ends")
		b.ReportMetric(full-bare, "B/assoc-registrar-share")
		b.ReportMetric(bare/2+full-bare, "B/assoc-registrar-side")
	}
}

// idleCost opens n associations from one loopback endpoint to a registrar
// (or, without registrar, to a bare endpoint) and returns the memory in
// use per association.
func idleCost(b *testing.B, n int, registrar bool) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var remote stack.Remote
	if registrar {
		r := newLoopback(b, Config{})
		defer r.Close()
		remote = remoteOf(r)
	} else {
		ep, err := stack.Listen(stack.Config{LocalAddrs: []netip.Addr{loopback}})
		if err != nil {
			b.Fatal(err)
		}
		defer ep.Close()
		go func() {
			for {
				if _, err := ep.Accept(ctx); err != nil {
					return
				}
			}
		}()
		remote = stack.Remote{Addrs: ep.LocalAddrs(), Port: ep.Port(), UDPPort: ep.UDPPort()}
	}
	cli := loopbackEndpoint(b)
	req := wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("idle")})
	buf := make([]byte, 1500)
	before := memInUse()
	for range n {
		a, err := cli.Dial(ctx, remote)
		if err != nil {
			b.Fatal(err)
		}
		if registrar {
			if err := a.SendMsg(ctx, req, stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
				b.Fatal(err)
			}
			if _, _, err := a.RecvMsg(ctx, buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	return float64(memInUse()-before) / float64(n)
}

// memInUse returns heap and stack bytes in use after a full collection.
func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
