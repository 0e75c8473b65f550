package stack

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestBothMoveAddPeerAddr moves both ends at the same moment, break
// before make: each side's ASCONF goes to the other's old address and is
// lost. Told the peer's new address (as a resolution through RSerPool
// would), AddPeerAddr sends the ASCONF in flight there at once; the peer
// finds the association although both addresses are new to it. With both
// sides told (symmetric) or only the client (asymmetric), the association
// carries on with its tags, every message arrives once and in order, and
// each side ends with the one path between the new addresses.
func TestBothMoveAddPeerAddr(t *testing.T) {
	for _, symmetric := range []bool{true, false} {
		t.Run(fmt.Sprintf("symmetric %v", symmetric), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { bothMove(t, symmetric) })
		})
	}
}

func bothMove(t *testing.T, symmetric bool) {
	cliNew, srvNew := moveAddr, netip.MustParseAddr("198.51.100.99")
	n := simnet.New(47)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
	auto := func(h *simnet.Host) Config {
		return Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: h.Watch()}
	}
	srv := simEndpoint(t, hs, auto(hs), true)
	cli := simEndpoint(t, hc, auto(hc), false)
	ca, sa := connect(t, cli, srv, srv1)
	ltag, ptag := tagsOf(ca)

	const msgs = 6000
	var told time.Time
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(time.Second)
		hc.RemoveAddr(cli1)
		hs.RemoveAddr(srv1)
		time.Sleep(2 * time.Second)
		hc.AddAddr(cliNew)
		hs.AddAddr(srvNew)
		time.Sleep(200 * time.Millisecond) // the time a resolution takes
		told = time.Now()
		if err := ca.AddPeerAddr(netip.AddrPortFrom(srvNew, 0)); err != nil {
			t.Error(err)
		}
		if symmetric {
			if err := sa.AddPeerAddr(netip.AddrPortFrom(cliNew, 0)); err != nil {
				t.Error(err)
			}
		}
	}()
	go pace(t, ca, msgs, time.Millisecond)
	at := arrivals(t, sa, msgs)
	<-moved
	if len(at) != msgs {
		return
	}
	recovery := firstAfter(at, told)
	t.Logf("first message %v after AddPeerAddr", recovery)
	if limit := DefaultRTOInitial + 4*oneWay; recovery < 0 || recovery > limit {
		t.Errorf("recovery %v after AddPeerAddr, want at most %v", recovery, limit)
	}
	if l, p := tagsOf(ca); l != ltag || p != ptag {
		t.Errorf("tags %x/%x, want %x/%x", l, p, ltag, ptag)
	}
	time.Sleep(5 * time.Second) // the server's own ASCONF settles too
	for _, side := range []struct {
		a    *Association
		want netip.Addr
	}{{ca, srvNew}, {sa, cliNew}} {
		if ps := side.a.Paths(); len(ps) != 1 || ps[0].Remote.Addr() != side.want || ps[0].State != PathActive {
			t.Errorf("paths %+v, want one active path to %v", ps, side.want)
		}
	}
}

// TestAddPeerAddrForgedHint: a hint that points at somebody else (a
// forged registration, say) gets nothing it could answer usefully: no
// heartbeat to echo, no data, only the ASCONF behind AUTH that it cannot
// acknowledge. The ASCONF then reaches the real peer on T4-RTO, the
// association goes on, and the forged path stays unconfirmed.
func TestAddPeerAddrForgedHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		forger := netip.MustParseAddr("203.0.113.66")
		n := simnet.New(53)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
		hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
		n.AddHost("forger", forger)
		srv := simEndpoint(t, hs, Config{}, true)
		cli := simEndpoint(t, hc, Config{}, false)
		ca, sa := connect(t, cli, srv, srv1)
		var mu sync.Mutex
		var seen []wire.ChunkType
		n.OnPacket(func(_ time.Time, _, dst netip.AddrPort, data []byte, _ simnet.Fate) {
			if dst.Addr() != forger {
				return
			}
			it := wire.Packet(data).Chunks()
			mu.Lock()
			for c, ok := it.Next(); ok; c, ok = it.Next() {
				seen = append(seen, c.Type())
			}
			mu.Unlock()
		})
		if err := ca.AddPeerAddr(netip.AddrPortFrom(forger, 0)); err != nil {
			t.Fatal(err)
		}
		go pace(t, ca, 3000, time.Millisecond)
		time.Sleep(time.Second)
		hc.AddAddr(cli2)
		if err := ca.AddLocalAddr(cli2); err != nil {
			t.Fatal(err)
		}
		if got := inOrder(sa, 3000); got != 3000 {
			t.Errorf("%d of 3000 messages arrived", got)
		}
		e := waitEvent(t, ca, EventASCONF)
		if e.Err != nil {
			t.Errorf("ASCONF %v, want success (through the real peer)", e)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, typ := range seen {
			if typ != wire.TypeAuth && typ != wire.TypeAsconf {
				t.Errorf("%v sent to the forged address (all: %v)", typ, seen)
				break
			}
		}
		if !slices.Contains(seen, wire.TypeAsconf) {
			t.Errorf("the ASCONF did not try the hinted address: %v", seen)
		}
		for _, p := range ca.Paths() {
			if p.Remote.Addr() == forger && p.State != PathUnconfirmed {
				t.Errorf("forged path %+v, want unconfirmed", p)
			}
		}
	})
}
