package stack

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// BenchmarkIdleAssociationMemory sets up idleAssocs associations with a
// listening endpoint on loopback and reports what each idle one costs
// there: heap and goroutine stacks in use after a full collection,
// divided by the number of associations, the way the registrar's and the
// perf server's benchmarks count. The peer is a stateless raw client on
// one UDP socket, each association from an SCTP port of its own (one
// client endpoint could hold only one association with the server), so
// that nothing but the server side is measured.
func BenchmarkIdleAssociationMemory(b *testing.B) {
	const idleAssocs = 2000
	var m idleMem
	for b.Loop() {
		m = idleAssocMemory(b, idleAssocs)
	}
	b.ReportMetric(m.heap+m.stack, "B/assoc")
	b.ReportMetric(m.heap, "heap-B/assoc")
	b.ReportMetric(m.stack, "stack-B/assoc")
}

// idleMem is the memory of one idle association.
type idleMem struct{ heap, stack float64 }

// idleAssocMemory sets up n associations with a fresh endpoint and
// returns the memory per association.
func idleAssocMemory(b *testing.B, n int) idleMem {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Listen(Config{Port: 5003, AcceptBacklog: n, EphemeralUDPPort: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(srv.UDPPort())}
	heap0, stack0 := memInUse()
	buf := make([]byte, 64<<10)
	for i := range n {
		rawHandshake(b, conn, to, uint16(10000+i), buf)
	}
	kept := make([]*Association, 0, n) // accepted and held, as a server holds them
	for range n {
		a, err := srv.Accept(ctx)
		if err != nil {
			b.Fatal(err)
		}
		kept = append(kept, a)
	}
	heap1, stack1 := memInUse()
	runtime.KeepAlive(kept)
	return idleMem{heap: float64(heap1-heap0) / float64(n), stack: float64(stack1-stack0) / float64(n)}
}

// rawHandshake runs the client side of the four-way handshake from SCTP
// port port over conn, keeping no state.
func rawHandshake(b *testing.B, conn *net.UDPConn, to *net.UDPAddr, port uint16, buf []byte) {
	send := func(vtag uint32, c wire.ChunkValue) {
		p := wire.Header{SrcPort: port, DstPort: 5003, VerificationTag: vtag}.Append(buf[:0])
		p = c.Append(p)
		wire.SetChecksum(p)
		if _, err := conn.WriteToUDP(p, to); err != nil {
			b.Fatal(err)
		}
	}
	recv := func(t wire.ChunkType) wire.Chunk {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			b.Fatal(err)
		}
		pkt, err := wire.ParsePacket(buf[:n])
		if err != nil {
			b.Fatal(err)
		}
		it := pkt.Chunks()
		c, ok := it.Next()
		if !ok || c.Type() != t {
			b.Fatalf("want %v, got %v", t, c.Type())
		}
		return c
	}
	tag := 0x10000 + uint32(port)
	send(0, &wire.Init{InitiateTag: tag, ARwnd: 1 << 20, OutStreams: 16, InStreams: 16, InitialTSN: 1})
	var ack wire.InitAck
	if err := ack.Decode(recv(wire.TypeInitAck)); err != nil {
		b.Fatal(err)
	}
	p, ok := ack.Params.Find(wire.ParamStateCookie)
	if !ok {
		b.Fatal("INIT ACK without a cookie")
	}
	send(ack.InitiateTag, &wire.CookieEcho{Cookie: bytes.Clone(p.Value())})
	recv(wire.TypeCookieAck)
}

// memInUse returns heap and stack bytes in use after a full collection.
func memInUse() (heap, stack int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}
