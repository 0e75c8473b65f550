package stack

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// layoutConn records, for each SendBatch, the packets and whether each
// starts where the one before it ends, in one array (as encap needs to
// send a GSO run in place).
type layoutConn struct {
	PacketConn // nil: the output uses only SendBatch
	packets    [][]byte
	adjacent   []bool
}

func (c *layoutConn) SendBatch(ds []encap.Datagram) error {
	for i, d := range ds {
		c.packets = append(c.packets, d.AppendTo(nil))
		if i > 0 {
			prev := ds[i-1].Data
			rest := prev[len(prev):cap(prev)]
			c.adjacent = append(c.adjacent, len(rest) > 0 && &rest[0] == &d.Data[0])
		}
	}
	return nil
}

// A builder lays a batch's packets out back to back: a small first area
// for flushes of a packet or two, and once a batch outgrows it, one large
// enough for a GSO run, where every packet follows the one before.
func TestBuilderLaysPacketsBackToBack(t *testing.T) {
	conn := &layoutConn{}
	b := &builder{out: &output{conn: conn}, owner: testAssoc()}
	dest := netip.MustParseAddrPort("127.0.0.2:9899")
	src := netip.MustParseAddr("127.0.0.1")
	payload := bytes.Repeat([]byte{7}, 1000)
	flush := func(n int) {
		conn.packets, conn.adjacent = nil, nil
		for i := range n {
			b.open(dest, src, 1, 1452, wire.TypeData, 16+len(payload))
			b.cur = (&wire.Data{TSN: uint32(i), Payload: payload}).Append(b.cur)
		}
		b.send()
		if len(conn.packets) != n {
			t.Fatalf("%d packets sent, want %d", len(conn.packets), n)
		}
		for i, p := range conn.packets {
			if !wire.Packet(p).VerifyChecksum() || !bytes.Contains(p, payload) {
				t.Fatalf("packet %d of %d bytes is not what was built", i, len(p))
			}
		}
	}

	flush(1)
	if len(b.areas) != 1 || cap(b.areas[0]) != firstArea {
		t.Fatalf("one packet: areas %d, the first of %d bytes; want one of %d", len(b.areas), cap(b.areas[0]), firstArea)
	}
	flush(40) // outgrows the first area
	flush(40)
	for i, ok := range conn.adjacent {
		if !ok {
			t.Errorf("packet %d does not follow packet %d", i+1, i)
		}
	}
	if len(b.areas) != 1 || cap(b.areas[0]) != areaSize {
		t.Errorf("after a large batch: %d areas, the first of %d bytes; want one of %d", len(b.areas), cap(b.areas[0]), areaSize)
	}
}
