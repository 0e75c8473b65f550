package stack

import (
	"fmt"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestDebugDrop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, ca, sa := simPair(t, 1, Config{}, Config{})
		n.SetDefault(simnet.LinkProps{Delay: 10 * time.Millisecond})
		count := 0
		n.AddFilter(func(src, dst netip.AddrPort, data []byte) simnet.Verdict {
			it := wire.Packet(data).Chunks()
			for c, ok := it.Next(); ok; c, ok = it.Next() {
				if c.Type() == wire.TypeIData || c.Type() == wire.TypeData {
					count++
					if count == 50 {
						fmt.Println("dropping", c.Type())
						return simnet.Drop
					}
				}
				if c.Type() == wire.TypeSack && count > 45 {
					var s wire.Sack
					s.Decode(c)
					fmt.Printf("SACK %+v\n", s)
				}
			}
			return simnet.Pass
		})
		transfer(t, ca, sa, load{bytes: 200 << 10, size: 1000, streams: 1})
	})
}
