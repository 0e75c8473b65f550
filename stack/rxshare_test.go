package stack

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
)

// overflowed returns an rxShare with budget bytes whose socket has just
// dropped a datagram, and the count of its drops that tests may raise.
func overflowed(budget int) (*rxShare, *uint64) {
	drops := new(uint64)
	*drops = 1
	return &rxShare{budget: budget, drops: func() uint64 { return *drops }}, drops
}

func TestRxShareDividesAmongReceivers(t *testing.T) {
	s, _ := overflowed(1 << 20)
	t0 := time.Unix(1000, 0)
	last := make([]int64, 8)
	if got := s.window(t0, &last[0], 4<<20); got != 4<<20 {
		t.Errorf("lone receiver: window %d, want its own 4 MiB", got)
	}
	for i := range last {
		s.window(t0, &last[i], 4<<20)
	}
	if got := s.window(t0, &last[3], 4<<20); got != 1<<17 {
		t.Errorf("8 receivers: window %d, want an eighth of the budget (%d)", got, 1<<17)
	}
	if got := s.window(t0, &last[3], 1000); got != 1000 {
		t.Errorf("window %d, want the association's own 1000 where that is less", got)
	}
	many, _ := overflowed(1 << 20)
	for range 1000 {
		var l int64
		many.window(t0, &l, 4<<20)
	}
	if got := many.window(t0, &last[0], 4<<20); got != rxShareMin {
		t.Errorf("1000 receivers: window %d, want the floor %d", got, rxShareMin)
	}
}

func TestRxShareForgetsReceiversThatStopped(t *testing.T) {
	s, _ := overflowed(1 << 20)
	t0 := time.Unix(1000, 0)
	last := make([]int64, 4)
	for i := range last {
		s.window(t0, &last[i], 4<<20)
	}
	// In the next epoch only the first still receives: the others still
	// count, as they may SACK later in the epoch.
	t1 := t0.Add(rxShareEpoch)
	if got := s.window(t1, &last[0], 4<<20); got != 1<<18 {
		t.Errorf("next epoch: window %d, want a quarter (%d)", got, 1<<18)
	}
	t2 := t1.Add(rxShareEpoch)
	if got := s.window(t2, &last[0], 4<<20); got != 4<<20 {
		t.Errorf("two epochs on: window %d, want the lone receiver's own", got)
	}
	// After a silence the count starts afresh.
	for i := range last {
		s.window(t2, &last[i], 4<<20)
	}
	if got := s.window(t2.Add(time.Hour), &last[1], 4<<20); got != 4<<20 {
		t.Errorf("after an hour's silence: window %d, want the lone receiver's own", got)
	}
}

// TestRxShareOnlyAfterDrops checks that windows are capped only while
// the socket has dropped datagrams lately: on a long path a window is
// mostly in the network, not in the socket.
func TestRxShareOnlyAfterDrops(t *testing.T) {
	var drops uint64
	s := rxShare{budget: 1 << 20, drops: func() uint64 { return drops }}
	t0 := time.Unix(1000, 0)
	last := make([]int64, 4)
	for i := range last {
		s.window(t0, &last[i], 4<<20)
	}
	if got := s.window(t0, &last[0], 4<<20); got != 4<<20 {
		t.Errorf("4 receivers, no drop: window %d, want its own 4 MiB", got)
	}
	drops = 3
	t1 := t0.Add(rxShareCheck)
	if got := s.window(t1, &last[0], 4<<20); got != 1<<18 {
		t.Errorf("after a drop: window %d, want a quarter of the budget (%d)", got, 1<<18)
	}
	for now := t1; now.Before(t1.Add(rxShareHold)); now = now.Add(rxShareEpoch) {
		for i := range last {
			if got := s.window(now, &last[i], 4<<20); got != 1<<18 {
				t.Fatalf("%v after the drop: window %d, want the share", now.Sub(t1), got)
			}
		}
	}
	t2 := t1.Add(rxShareHold)
	for i := range last {
		if got := s.window(t2, &last[i], 4<<20); got != 4<<20 {
			t.Errorf("%v after the last drop: window %d, want its own again", rxShareHold, got)
		}
	}
	unknown := rxShare{budget: 1 << 20}
	for i := range last {
		unknown.window(t0, &last[i], 4<<20)
	}
	if got := unknown.window(t0, &last[0], 4<<20); got != 4<<20 {
		t.Errorf("drops unknown: window %d, want its own", got)
	}
}

// dropReporter is a PacketConn that tells how many datagrams were dropped
// on their way to it, as encap.Transport tells its socket's drops.
type dropReporter struct {
	PacketConn
	drops func() uint64
}

func (c dropReporter) ReceiveDrops() uint64 { return c.drops() }

// TestManyAssociationsShareTheReceiver sends the same amount on 16
// associations from one host to one server endpoint through a drop-tail
// queue, as the server's socket buffer is one in front of its reader,
// and checks that when half of everything has arrived the smallest
// association has at least half the largest's bytes. With every
// association advertising its whole RecvBuffer, the windows together
// overran the queue; associations that lost the tail of their flight
// waited for a retransmission timeout (1 s) while the others went on.
func TestManyAssociationsShareTheReceiver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const assocs, msgs, size = 16, 250, 1000
		const queue = 128 << 10
		nw := simnet.New(7)
		t.Cleanup(nw.Close)
		nw.SetDefault(simnet.LinkProps{Delay: time.Millisecond})
		nw.SetLink(addrA, addrB, simnet.LinkProps{Delay: time.Millisecond, Rate: 20e6, QueueBytes: queue})
		hc := nw.AddHost("clients", addrA)
		hs := nw.AddHost("server", addrB)
		queueDrops := func() uint64 { return nw.Stats().Links[simnet.Link{Src: addrA, Dst: addrB}].QueueFull }
		srv, err := NewEndpoint(Config{Port: 5000, SocketBuffer: queue, AcceptBacklog: assocs, LocalAddrs: hs.Addrs(),
			PacketConn: func(h encap.Handler) (PacketConn, error) {
				c, err := hs.Open(int(DefaultUDPPort), h)
				if err != nil {
					return nil, err
				}
				return dropReporter{c, queueDrops}, nil // the queue stands for the server's socket buffer
			}})
		if err != nil {
			t.Fatal(err)
		}
		srv.Listen()
		t.Cleanup(func() { srv.Close() })
		cli, sa := make([]*Association, assocs), make([]*Association, assocs)
		for i := range cli {
			ep, err := NewEndpoint(Config{Port: uint16(6000 + i), LocalAddrs: hc.Addrs(), PacketConn: func(h encap.Handler) (PacketConn, error) {
				return hc.Open(10000+i, h)
			}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ep.Close() })
			cli[i], sa[i] = connect(t, ep, srv, addrB)
		}
		shares := receiveShares(t, cli, sa, msgs, size)
		t.Logf("bytes per association at half of the transfer: %v", shares)
		if lo, hi := slices.Min(shares), slices.Max(shares); 2*lo < hi {
			var rto []uint64
			for _, a := range cli {
				rto = append(rto, a.Stats().T3Expirations)
			}
			t.Errorf("at half of the transfer: smallest association %d bytes, largest %d, want at least half; retransmission timeouts per association %v", lo, hi, rto)
		}
	})
}

// receiveShares sends msgs messages of size bytes on each of cli, reads
// them from the other ends srv (in the same order), and returns each
// association's bytes delivered when half of everything was.
func receiveShares(t *testing.T, cli, srv []*Association, msgs, size int) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got := make([]atomic.Int64, len(srv))
	var total atomic.Int64
	half := int64(len(cli) * msgs * size / 2)
	var shares []int64
	var wg sync.WaitGroup
	for i, a := range srv {
		wg.Go(func() {
			buf := make([]byte, size)
			for range msgs {
				k, _, err := a.RecvMsg(ctx, buf)
				if err != nil {
					t.Error(err)
					return
				}
				got[i].Add(int64(k))
				if tot := total.Add(int64(k)); tot >= half && tot-int64(k) < half {
					for i := range got {
						shares = append(shares, got[i].Load())
					}
				}
			}
		})
	}
	msg := make([]byte, size)
	for _, a := range cli {
		wg.Go(func() {
			for range msgs {
				if err := a.SendMsg(ctx, msg, SendInfo{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(shares) != len(srv) {
		t.Fatalf("%d of %d bytes delivered", total.Load(), 2*half)
	}
	return shares
}
