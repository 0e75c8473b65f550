package perf

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/idlemem"
)

// BenchmarkIdleServerMemory has a perf server, configured as `mobisctp
// perf server` runs it (reports every second), accept 1000 associations
// that each send one message and then stay idle, and reports what each
// costs the server, counted as internal/idlemem counts it for the stack
// and the registrar: heap and goroutine stacks after a full collection,
// the association and everything the server runs for it. The peers are
// idlemem's stateless raw client, so that only the server is measured.
func BenchmarkIdleServerMemory(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 10
	}
	var c idlemem.Cost
	for b.Loop() {
		c = idleServerCost(b, n)
	}
	c.Report(b)
}

// idleServerCost serves n idle associations and returns the cost of each.
func idleServerCost(b *testing.B, n int) idlemem.Cost {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ec := loopback
	ec.AcceptBacklog = n
	srv, err := Listen(ServerConfig{Endpoint: ec, Output: Output{Stdout: io.Discard, Stderr: io.Discard, Interval: time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			b.Error(err)
		}
		srv.Close()
	}()
	client, err := idlemem.NewClient(netip.AddrPortFrom(ec.LocalAddrs[0], srv.UDPPort()), srv.Port(), n)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	msg := make([]byte, 1000)
	cost, err := client.Measure(n, func(i int) error {
		a, err := client.Handshake(uint16(10000 + i))
		if err != nil {
			return err
		}
		return client.Send(&a, 0, msg, false)
	})
	if err != nil {
		b.Fatal(err)
	}
	return cost
}
