package stack

import (
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestRepliesLeaveFromAddressedAddress dials the server's second address
// and checks every answer the server sends: the INIT ACK, HEARTBEAT ACKs
// and SACKs leave from the address the packet they answer was sent to.
func TestRepliesLeaveFromAddressedAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(3)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay})
		hc := n.AddHost("client", cli1, cli2)
		hs := n.AddHost("server", srv1, srv2)
		type seen struct {
			src, dst netip.Addr
			types    []wire.ChunkType
		}
		var mu sync.Mutex
		var log []seen
		n.OnPacket(func(_ time.Time, src, dst netip.AddrPort, data []byte, fate simnet.Fate) {
			var types []wire.ChunkType
			it := wire.Packet(data).Chunks()
			for c, ok := it.Next(); ok; c, ok = it.Next() {
				types = append(types, c.Type())
			}
			mu.Lock()
			log = append(log, seen{src.Addr(), dst.Addr(), types})
			mu.Unlock()
		})
		srv := simEndpoint(t, hs, Config{Port: 5000, HeartbeatInterval: 200 * time.Millisecond}, true)
		cli := simEndpoint(t, hc, Config{HeartbeatInterval: 200 * time.Millisecond}, false)
		ca, sa := connect(t, cli, srv, srv2)
		time.Sleep(3 * time.Second) // heartbeats reach both server addresses
		transfer(t, ca, sa, load{bytes: 200 << 10, size: 1000})

		mu.Lock()
		defer mu.Unlock()
		// Each heartbeat the client sent, by destination, must be answered
		// from that destination.
		hbTo := map[netip.Addr]bool{}
		checked := map[wire.ChunkType]int{}
		for _, s := range log {
			switch {
			case s.src.Is4() && (s.src == cli1 || s.src == cli2) && contains(s.types, wire.TypeHeartbeat):
				hbTo[s.dst] = true
			case s.src == srv1 || s.src == srv2:
				for _, ct := range s.types {
					switch ct {
					case wire.TypeInitAck, wire.TypeSack, wire.TypeCookieAck:
						if s.src != srv2 {
							t.Errorf("%s left from %v, not from the addressed %v", ct, s.src, srv2)
						}
						checked[ct]++
					case wire.TypeHeartbeatAck:
						if !hbTo[s.src] {
							t.Errorf("HEARTBEAT ACK from %v, which no heartbeat was sent to", s.src)
						}
						checked[ct]++
					}
				}
			}
		}
		for _, ct := range []wire.ChunkType{wire.TypeInitAck, wire.TypeCookieAck, wire.TypeSack, wire.TypeHeartbeatAck} {
			if checked[ct] == 0 {
				t.Errorf("no %s seen", ct)
			}
		}
		if len(hbTo) != 2 {
			t.Errorf("heartbeats went to %v, want both server addresses", hbTo)
		}
	})
}

func contains(ts []wire.ChunkType, t wire.ChunkType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
