package stack

// Many associations between two endpoints over real loopback UDP: the load
// of a server with many clients, and of a registrar with many pool users
// that talk rarely. Both ends run in this process, so the CPU figures
// count both.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/cputime"
)

// benchEndpoints opens a listening server endpoint on 127.0.0.1 and n
// client endpoints, and connects one association from each client to the
// server (SCTP allows one association between two endpoints: a second
// INIT from the same endpoint would restart the first). It returns the
// client ends and the server ends, each in its own order.
func benchEndpoints(b *testing.B, n int) (cli, srv []*Association) {
	b.Helper()
	se, remote := benchServer(b, n)
	return dialAll(b, benchClients(b, n), se, remote)
}

// benchServer opens a listening endpoint on 127.0.0.1 that lets n
// associations wait for Accept, and returns it and how to dial it.
func benchServer(b *testing.B, n int) (*Endpoint, Remote) {
	b.Helper()
	port := uint16(5100 + benchSeq.Add(1))
	se, err := Listen(Config{Port: port, AcceptBacklog: n})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { se.Close() })
	return se, Remote{Addrs: []netip.Addr{benchLoopback}, Port: port, UDPPort: se.UDPPort()}
}

// benchClients opens n client endpoints on 127.0.0.1. They share one UDP
// socket, as the SCTP endpoints of a host share its encapsulation port
// (RFC 6951): the socket hands each packet to the endpoint its SCTP
// destination port names.
func benchClients(b *testing.B, n int) []*Endpoint {
	b.Helper()
	shared := openSharedUDP(b)
	eps := make([]*Endpoint, n)
	for i := range eps {
		port := uint16(10000 + i)
		ep, err := NewEndpoint(Config{Port: port, PacketConn: shared.attach(port)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ep.Close() })
		eps[i] = ep
	}
	return eps
}

// dialAll connects each client endpoint to the server, a few at a time,
// and returns the client ends and the server ends, each in its own order.
func dialAll(b *testing.B, clients []*Endpoint, se *Endpoint, remote Remote) (cli, srv []*Association) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	n := len(clients)
	cli = make([]*Association, n)
	const dialers = 16
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(dialers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				a, err := clients[i].Dial(ctx, remote)
				if err != nil {
					b.Error(err)
					return
				}
				cli[i] = a
			}
		})
	}
	for range n {
		a, err := se.Accept(ctx)
		if err != nil {
			b.Fatal(err)
		}
		srv = append(srv, a)
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return cli, srv
}

var benchLoopback = netip.MustParseAddr("127.0.0.1")

// sharedUDP is one UDP socket (encap.Transport) under many endpoints,
// which tell their packets apart by SCTP port. While its reader hands a
// batch to the endpoints, what they send waits and leaves in one
// SendBatch at the end, as the packets of one endpoint's associations do
// (output.hold): a batch of SACKs for many client endpoints would
// otherwise cost a system call per endpoint.
type sharedUDP struct {
	t        *encap.Transport
	handlers [1 << 16]atomic.Pointer[encap.Handler] // by SCTP port

	mu      sync.Mutex
	holding bool             // the reader is delivering a batch
	held    []encap.Datagram // sent meanwhile, their data copied into data
	data    []byte
}

func openSharedUDP(b *testing.B) *sharedUDP {
	s := new(sharedUDP)
	t, err := encap.Open(encap.Config{Addrs: []netip.Addr{benchLoopback}}, s.deliver)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { t.Close() })
	s.t = t
	return s
}

// deliver hands each run of datagrams for one SCTP port to that port's
// endpoint; it drops what is too short to name one or names none.
func (s *sharedUDP) deliver(batch []encap.Datagram) {
	s.mu.Lock()
	s.holding = true
	s.mu.Unlock()
	defer s.release()
	for len(batch) > 0 {
		port := dstPort(batch[0])
		n := 1
		for n < len(batch) && dstPort(batch[n]) == port {
			n++
		}
		if h := s.handlers[port].Load(); port >= 0 && h != nil {
			(*h)(batch[:n])
		}
		batch = batch[n:]
	}
}

// send sends ds, or holds copies of them while the reader delivers a
// batch. The socket's refusals of held packets are not reported.
func (s *sharedUDP) send(ds []encap.Datagram) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holding {
		return s.t.SendBatch(ds)
	}
	for _, d := range ds {
		start := len(s.data)
		s.data = d.AppendTo(s.data)
		d.Data, d.Rest = s.data[start:len(s.data):len(s.data)], nil
		s.held = append(s.held, d)
	}
	return nil
}

// release sends what was held during a batch, in the order it was sent.
func (s *sharedUDP) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holding = false
	if len(s.held) > 0 {
		_ = s.t.SendBatch(s.held)
	}
	clear(s.held)
	s.held, s.data = s.held[:0], s.data[:0]
}

// dstPort returns the SCTP destination port of d, or -1.
func dstPort(d encap.Datagram) int {
	if len(d.Data) < 4 {
		return -1
	}
	return int(d.Data[2])<<8 | int(d.Data[3])
}

// attach returns a Config.PacketConn for the endpoint on SCTP port port.
func (s *sharedUDP) attach(port uint16) func(encap.Handler) (PacketConn, error) {
	return func(h encap.Handler) (PacketConn, error) {
		s.handlers[port].Store(&h)
		return &portConn{s: s, port: port}, nil
	}
}

// portConn is one endpoint's view of a sharedUDP.
type portConn struct {
	s    *sharedUDP
	port uint16
}

func (c *portConn) SendBatch(ds []encap.Datagram) error { return c.s.send(ds) }
func (c *portConn) LocalAddrs() []netip.Addr            { return c.s.t.LocalAddrs() }
func (c *portConn) AddAddr(netip.Addr) error            { return errors.ErrUnsupported }
func (c *portConn) RemoveAddr(netip.Addr) error         { return errors.ErrUnsupported }
func (c *portConn) Port() int                           { return c.s.t.Port() }
func (c *portConn) Close() error {
	c.s.handlers[c.port].Store(nil)
	return nil
}

// BenchmarkMultiAssoc sends 1000-byte messages on n associations between
// two endpoints at once, each with its own sending and receiving
// goroutine, b.N messages in all, an equal share on each. It reports
// the aggregate throughput, the process's CPU seconds per 10^9 payload
// bytes (both ends), and fairness: the smallest share of the delivered
// bytes over the largest, taken when half of all was delivered (1 is
// perfectly fair).
func BenchmarkMultiAssoc(b *testing.B) {
	for _, n := range []int{1, 2, 4, 16, 256} {
		b.Run(fmt.Sprintf("assocs=%d", n), func(b *testing.B) { benchMulti(b, n, 1000) })
	}
}

func benchMulti(b *testing.B, n, size int) {
	cli, srv := benchEndpoints(b, n)
	ctx := context.Background()
	got := make([]atomic.Int64, n) // bytes delivered per association
	var total atomic.Int64
	all, half := int64(b.N*size), int64(b.N*size/2)
	allIn := make(chan struct{}) // closed when all was delivered
	var shares []int64           // of got, when half of everything was delivered
	var readers sync.WaitGroup
	for i, a := range srv {
		readers.Go(func() {
			buf := make([]byte, 1<<16)
			for {
				k, _, err := a.RecvMsg(ctx, buf)
				if err != nil {
					return // EOF after the shutdown
				}
				got[i].Add(int64(k))
				t := total.Add(int64(k))
				if t >= half && t-int64(k) < half {
					for i := range got {
						shares = append(shares, got[i].Load())
					}
				}
				if t == all {
					close(allIn)
				}
			}
		})
	}
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu0, cpuOK := cputime.Process()
	start := time.Now()
	var senders sync.WaitGroup
	for i, a := range cli {
		quota := b.N / n
		if i < b.N%n {
			quota++
		}
		senders.Go(func() {
			for range quota {
				if err := a.SendMsg(ctx, msg, SendInfo{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	senders.Wait()
	if !b.Failed() {
		<-allIn
	}
	elapsed := time.Since(start)
	cpu1, _ := cputime.Process()
	b.StopTimer()
	for _, a := range cli {
		senders.Go(func() { a.Shutdown(ctx) })
	}
	senders.Wait()
	readers.Wait()
	bytes := total.Load()
	if bytes != int64(b.N*size) {
		b.Fatalf("%d bytes delivered, want %d", bytes, b.N*size)
	}
	b.ReportMetric(float64(bytes)*8/elapsed.Seconds()/1e6, "Mbit/s")
	if cpuOK {
		b.ReportMetric((cpu1-cpu0).Seconds()/(float64(bytes)/1e9), "CPU-s/GB")
	}
	rtx := uint64(0)
	for _, a := range cli {
		rtx += a.Stats().Retransmissions
	}
	b.ReportMetric(float64(rtx)/float64(b.N), "rtx/msg")
	if hi := slices.Max(shares); hi > 0 {
		b.ReportMetric(float64(slices.Min(shares))/float64(hi), "min/max")
	}
}

// BenchmarkTrickle10k keeps 10,000 associations between two endpoints,
// each sending one 100-byte message a second, spread evenly over the
// second, and reports the process's CPU time per association and second
// (both ends, SACKs and timers included). One b.N is one second of this
// load; run it with -benchtime 3x or so.
func BenchmarkTrickle10k(b *testing.B) {
	const n, size = 10000, 100
	cli, srv := benchEndpoints(b, n)
	ctx := context.Background()
	var delivered atomic.Int64
	var readers sync.WaitGroup
	for _, a := range srv {
		readers.Go(func() {
			buf := make([]byte, 1<<10)
			for {
				if _, _, err := a.RecvMsg(ctx, buf); err != nil {
					return // closed at the end
				}
				delivered.Add(1)
			}
		})
	}
	msg := make([]byte, size)
	gap := time.Second / n
	b.ReportAllocs()
	cpu0, cpuOK := cputime.Process()
	start := time.Now()
	sent := 0
	for b.Loop() {
		for _, a := range cli {
			sent++
			// Paced against the start, so that a late send does not delay the rest.
			if d := time.Until(start.Add(time.Duration(sent) * gap)); d > 0 {
				time.Sleep(d)
			}
			if err := a.SendMsg(ctx, msg, SendInfo{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start)
	cpu1, _ := cputime.Process()
	b.StopTimer()
	if cpuOK {
		assocSeconds := float64(n) * elapsed.Seconds()
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/assocSeconds, "µs-CPU/assoc/s")
		b.ReportMetric(100*(cpu1-cpu0).Seconds()/elapsed.Seconds(), "%CPU")
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(sent), "µs-CPU/msg")
	}
	// Below n per second the machine could not keep the pace, and the
	// figures per association and second are too low.
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "msg/s")
	// Messages still on their way, or lost and waiting for a
	// retransmission timeout (up to RTO.Initial: these associations have
	// measured no round trip), arrive within a few seconds.
	for deadline := time.Now().Add(10 * time.Second); delivered.Load() < int64(sent) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	got := delivered.Load()
	rtx := uint64(0)
	for _, a := range cli {
		rtx += a.Stats().Retransmissions
	}
	b.ReportMetric(float64(rtx), "rtx")
	for _, a := range srv {
		a.Abort("benchmark over")
	}
	readers.Wait()
	if got < int64(sent) {
		b.Errorf("%d of %d messages delivered (%.0f%% CPU, %d retransmissions)", got, sent, 100*(cpu1-cpu0).Seconds()/elapsed.Seconds(), rtx)
	}
}
