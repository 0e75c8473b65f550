package stack

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/idlemem"
)

// BenchmarkIdleAssociationMemory sets up idleAssocs associations with a
// listening endpoint on loopback, has the application echo one message on
// each, and reports what each then costs idle, heap and goroutine stacks
// counted, as internal/idlemem measures it for the registrar and the perf
// server too. The peers are idlemem's stateless raw client, so that only
// the server side is measured.
func BenchmarkIdleAssociationMemory(b *testing.B) {
	const idleAssocs = 2000
	var c idlemem.Cost
	for b.Loop() {
		c = idleAssocMemory(b, idleAssocs)
	}
	c.Report(b)
}

// idleAssocMemory sets up n associations with a fresh endpoint and
// returns the cost of each.
func idleAssocMemory(b *testing.B, n int) idlemem.Cost {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Listen(Config{Port: 5003, AcceptBacklog: n, EphemeralUDPPort: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	client, err := idlemem.NewClient(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), srv.UDPPort()), srv.Port(), n)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	kept := make([]*Association, 0, n) // accepted and held, as a server holds them
	buf := make([]byte, 1500)
	echoed := make(chan error, 1)
	cost, err := client.Measure(n, func(i int) error {
		peer, err := client.Handshake(uint16(10000 + i))
		if err != nil {
			return err
		}
		a, err := srv.Accept(ctx)
		if err != nil {
			return err
		}
		kept = append(kept, a)
		go func() { echoed <- echoOnce(ctx, a, buf) }()
		if err := client.Send(&peer, 51, []byte("idle?"), true); err != nil {
			return err
		}
		return <-echoed
	})
	if err != nil {
		b.Fatal(err)
	}
	return cost
}

// echoOnce sends the first message received on a back.
func echoOnce(ctx context.Context, a *Association, buf []byte) error {
	n, info, err := a.RecvMsg(ctx, buf)
	if err != nil {
		return err
	}
	return a.SendMsg(ctx, buf[:n], SendInfo{PPID: info.PPID})
}
