package stack

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
)

// Test addresses on the simulated network (documentation ranges).
var (
	addrA = netip.MustParseAddr("192.0.2.1")
	addrB = netip.MustParseAddr("192.0.2.2")
)

// simEndpoint opens an endpoint on a simulated host.
func simEndpoint(t *testing.T, h *simnet.Host, cfg Config, listen bool) *Endpoint {
	t.Helper()
	cfg.LocalAddrs = h.Addrs()
	cfg.PacketConn = func(handler encap.Handler) (PacketConn, error) {
		if listen {
			handler = lending(handler)
		}
		return h.Open(int(DefaultUDPPort), handler)
	}
	ep, err := NewEndpoint(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if listen {
		ep.Listen()
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

// lending hands handler every datagram in a Buffer of its own, as the
// Linux transport lends its buffers for large datagrams, so that the
// simulated transfers of listening endpoints (lossy, reordered,
// fragmented, abandoned) cover chunks kept in their packet's buffer
// (pins), while dialling endpoints cover chunks copied. The buffers that
// come back are overwritten at once, as a transport's next read would:
// data read from a buffer given back too early shows the pattern.
func lending(handler encap.Handler) encap.Handler {
	return func(ds []encap.Datagram) {
		lent := make([]*encap.Buffer, 0, len(ds))
		for i := range ds {
			b := encap.NewBuffer(len(ds[i].Data))
			ds[i].Data = b.Bytes()[:copy(b.Bytes(), ds[i].Data)]
			ds[i].Buffer = b
			lent = append(lent, b)
		}
		handler(ds)
		for _, b := range lent {
			b.Release()
		}
		poisonReturned(lent)
	}
}

// poison is what poisonReturned writes over buffers given back.
const poison = 0xa5

// poisonReturned takes buffers of the sizes of lent from the pool, which
// hands out those just given back (and not those still held) first, fills
// them with poison and gives them back again.
func poisonReturned(lent []*encap.Buffer) {
	taken := make([]*encap.Buffer, len(lent))
	for i, b := range slices.Backward(lent) {
		taken[i] = encap.NewBuffer(b.Size())
		for j := range taken[i].Bytes() {
			taken[i].Bytes()[j] = poison
		}
	}
	for _, b := range taken {
		b.Release()
	}
}

// connect dials srv from cli and returns both ends of the association.
func connect(t *testing.T, cli, srv *Endpoint, addrs ...netip.Addr) (*Association, *Association) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	acc := make(chan *Association, 1)
	go func() {
		a, err := srv.Accept(ctx)
		if err != nil {
			t.Error("accept:", err)
		}
		acc <- a
	}()
	ca, err := cli.Dial(ctx, Remote{Addrs: addrs, Port: srv.Port(), UDPPort: srv.UDPPort()})
	if err != nil {
		t.Fatal("dial:", err)
	}
	sa := <-acc
	if sa == nil {
		t.FailNow()
	}
	return ca, sa
}

// simPair builds a two-host network with one address each and an
// established association between them.
func simPair(t *testing.T, seed int64, cliCfg, srvCfg Config) (*simnet.Network, *Association, *Association) {
	t.Helper()
	n := simnet.New(seed)
	t.Cleanup(n.Close)
	ha := n.AddHost("client", addrA)
	hb := n.AddHost("server", addrB)
	srvCfg.Port = 5000
	srv := simEndpoint(t, hb, srvCfg, true)
	cli := simEndpoint(t, ha, cliCfg, false)
	ca, sa := connect(t, cli, srv, addrB)
	return n, ca, sa
}

// load describes a transfer: total bytes, message size and streams.
type load struct {
	bytes, size, streams int
	unordered            bool
	lifetime             time.Duration
	gap                  time.Duration // pause between messages, to spread a transfer in time
}

// digests are SHA-256 sums of the bytes of each stream, in order.
type digests map[uint16][32]byte

// payload returns the deterministic pseudorandom bytes of message i.
func payload(i, size int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 0x5c7))
	b := make([]byte, size)
	for j := 0; j < size; j += 8 {
		v := r.Uint64()
		for k := 0; k < 8 && j+k < size; k++ {
			b[j+k] = byte(v >> (8 * k))
		}
	}
	return b
}

// send sends the load on a and returns the digest of what was sent per
// stream.
func (l load) send(ctx context.Context, a *Association) (digests, error) {
	sums := map[uint16]interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}{}
	for i := 0; i*l.size < l.bytes; i++ {
		size := min(l.size, l.bytes-i*l.size)
		sid := uint16(i % max(l.streams, 1))
		msg := payload(i, size)
		if err := a.SendMsg(ctx, msg, SendInfo{Stream: sid, PPID: uint32(i), Unordered: l.unordered, Lifetime: l.lifetime}); err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		if sums[sid] == nil {
			sums[sid] = sha256.New()
		}
		sums[sid].Write(msg)
		if l.gap > 0 {
			time.Sleep(l.gap)
		}
	}
	out := digests{}
	for sid, h := range sums {
		out[sid] = [32]byte(h.Sum(nil))
	}
	return out, nil
}

// receive reads from a until EOF and returns the digest per stream and
// the byte count. Unordered messages are summed in message order (PPID).
func receive(ctx context.Context, a *Association, l load) (digests, int, error) {
	buf := make([]byte, 1<<20)
	sums := map[uint16]interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}{}
	unordered := map[uint32][]byte{}
	total := 0
	for {
		n, info, err := a.RecvMsg(ctx, buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, total, err
		}
		if !info.EOR {
			return nil, total, fmt.Errorf("message of stream %d larger than the buffer", info.Stream)
		}
		total += n
		if info.Unordered {
			unordered[info.PPID] = append([]byte(nil), buf[:n]...)
			continue
		}
		if sums[info.Stream] == nil {
			sums[info.Stream] = sha256.New()
		}
		sums[info.Stream].Write(buf[:n])
	}
	for i := 0; i*l.size < l.bytes && len(unordered) > 0; i++ {
		sid := uint16(i % max(l.streams, 1))
		if sums[sid] == nil {
			sums[sid] = sha256.New()
		}
		sums[sid].Write(unordered[uint32(i)])
	}
	out := digests{}
	for sid, h := range sums {
		out[sid] = [32]byte(h.Sum(nil))
	}
	return out, total, nil
}

// transfer sends l from src to dst, shuts src down and checks that dst
// received exactly what was sent.
func transfer(t *testing.T, src, dst *Association, l load) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
	defer cancel()
	type result struct {
		d   digests
		n   int
		err error
	}
	got := make(chan result, 1)
	go func() {
		d, n, err := receive(ctx, dst, l)
		got <- result{d, n, err}
	}()
	sent, err := l.send(ctx, src)
	if err != nil {
		t.Fatalf("send: %v\nsender %+v\nreceiver %+v", err, src.Stats(), dst.Stats())
	}
	if err := src.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v\nsender %+v\nreceiver %+v", err, src.Stats(), dst.Stats())
	}
	r := <-got
	if r.err != nil {
		t.Fatal("receive:", r.err)
	}
	if r.n != l.bytes {
		t.Fatalf("received %d bytes, sent %d", r.n, l.bytes)
	}
	for sid, d := range sent {
		if r.d[sid] != d {
			t.Fatalf("stream %d: SHA-256 of received data differs from sent", sid)
		}
	}
}
