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

func TestRxShareDividesAmongReceivers(t *testing.T) {
	s := rxShare{budget: 1 << 20}
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
	many := rxShare{budget: 1 << 20}
	for range 1000 {
		var l int64
		many.window(t0, &l, 4<<20)
	}
	if got := many.window(t0, &last[0], 4<<20); got != rxShareMin {
		t.Errorf("1000 receivers: window %d, want the floor %d", got, rxShareMin)
	}
}

func TestRxShareForgetsReceiversThatStopped(t *testing.T) {
	s := rxShare{budget: 1 << 20}
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
		srv := simEndpoint(t, nw.AddHost("server", addrB), Config{Port: 5000, SocketBuffer: queue, AcceptBacklog: assocs}, true)
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
