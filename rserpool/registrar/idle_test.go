package registrar

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// BenchmarkIdleAssociationMemory opens 2000 ASAP associations to a
// registrar on a simulated network (one client endpoint each, since SCTP
// allows one association per pair of endpoints), each of which resolves a
// pool once and then stays idle, and reports the memory each costs, heap
// and goroutine stacks counted (as stack.BenchmarkIdleAssociationMemory
// counts them):
//
//   - B/assoc-all: the whole process per association: both ends, the
//     client endpoints and the simulated network;
//   - B/assoc-all-bare: the same for associations to a bare stack endpoint
//     that answers the one message and holds them;
//   - B/assoc-registrar-share: the difference, what the registrar adds to
//     the stack per association (its session: goroutine, buffers, state).
func BenchmarkIdleAssociationMemory(b *testing.B) {
	n := 2000
	if testing.Short() {
		n = 10
	}
	for b.Loop() {
		bare := idleCost(b, n, false)
		full := idleCost(b, n, true)
		b.ReportMetric(full, "B/assoc-all")
		b.ReportMetric(bare, "B/assoc-all-bare")
		b.ReportMetric(full-bare, "B/assoc-registrar-share")
	}
}

// idleCost opens n associations from as many client endpoints to a
// registrar (or, without registrar, to a bare endpoint that echoes the
// first message), exchanges one message on each, and returns the memory
// in use per association.
func idleCost(b *testing.B, n int, registrar bool) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env := newSimEnv(b, Config{}, simnet.LinkProps{})
	defer env.n.Close()
	defer env.r.Close()
	remote := remoteOf(env.r)
	if !registrar {
		env.r.Close()
		h := env.n.AddHost("bare", puAddr)
		ep, err := stack.Listen(stack.Config{
			LocalAddrs: []netip.Addr{puAddr}, Port: DefaultPort,
			PacketConn: func(handler encap.Handler) (stack.PacketConn, error) { return h.Open(stack.DefaultUDPPort, handler) },
		})
		if err != nil {
			b.Fatal(err)
		}
		defer ep.Close()
		go func() {
			for {
				a, err := ep.Accept(ctx)
				if err != nil {
					return
				}
				go echoOnce(ctx, a)
			}
		}()
		remote = stack.Remote{Addrs: []netip.Addr{puAddr}, Port: ep.Port(), UDPPort: ep.UDPPort()}
	}
	clients := env.n.AddHost("clients", peAddr)
	req := wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("idle")})
	buf := make([]byte, 1500)
	before := memInUse()
	for i := range n {
		port := 10000 + i
		ep, err := stack.NewEndpoint(stack.Config{
			LocalAddrs: []netip.Addr{peAddr}, Port: uint16(port), NoDelay: true,
			PacketConn: func(h encap.Handler) (stack.PacketConn, error) { return clients.Open(port, h) },
		})
		if err != nil {
			b.Fatal(err)
		}
		defer ep.Close()
		a, err := ep.Dial(ctx, remote)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.SendMsg(ctx, req, stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
			b.Fatal(err)
		}
		if _, _, err := a.RecvMsg(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
	return float64(memInUse()-before) / float64(n)
}

// echoOnce sends the first message received on a back, and leaves a open.
func echoOnce(ctx context.Context, a *stack.Association) {
	buf := make([]byte, 1500)
	n, info, err := a.RecvMsg(ctx, buf)
	if err == nil {
		_ = a.SendMsg(ctx, buf[:n], stack.SendInfo{PPID: info.PPID})
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
