package addip_test

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/addip"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// peerAddrs is the peer's side of an association: our addresses as it
// knows them.
type peerAddrs struct{ addrs []netip.Addr }

func (p *peerAddrs) AddPeerAddress(a netip.Addr) error {
	if !slices.Contains(p.addrs, a) {
		p.addrs = append(p.addrs, a)
	}
	return nil
}

func (p *peerAddrs) DeletePeerAddress(a, source netip.Addr) error {
	switch {
	case len(p.addrs) == 1:
		return addip.ErrDeleteLastAddress
	case a == source:
		return addip.ErrDeleteSourceAddress
	}
	p.addrs = slices.DeleteFunc(p.addrs, func(x netip.Addr) bool { return x == a })
	return nil
}

func (p *peerAddrs) SetPeerPrimary(netip.Addr) error { return nil }

// Our endpoint moves from 192.0.2.1 to 192.0.2.2 and sends both requests
// from the old address; the peer refuses to delete the address the
// packet came from, so the loop will retry the deletion from the new one.
func Example() {
	oldAddr, newAddr := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	now := time.Unix(0, 0)

	tx := addip.NewSender(1000)   // ours: numbered from our initial TSN
	rx := addip.NewReceiver(1000) // the peer's: expects our initial TSN
	peer := &peerAddrs{addrs: []netip.Addr{oldAddr}}

	tx.Queue(addip.AddIP, newAddr)
	tx.Queue(addip.DeleteIP, oldAddr)
	c, _ := tx.Next(now, oldAddr, 1200, addip.Path{Dest: netip.MustParseAddr("198.51.100.1"), RTO: time.Second})

	// On the wire, then at the peer.
	chunk, _ := wire.ParseChunk(c.Append(nil))
	var asconf wire.Asconf
	asconf.Decode(chunk)
	ackBytes, _ := rx.Handle(&asconf, addip.Packet{Source: oldAddr, First: true}, peer)

	// Back at our end.
	chunk, _ = wire.ParseChunk(ackBytes)
	var ack wire.AsconfAck
	ack.Decode(chunk)
	acked, _, _ := tx.HandleAck(&ack)
	for _, r := range acked.Results {
		if r.OK {
			fmt.Printf("%s %s: ok\n", r.Op, r.Addr)
			continue
		}
		it := r.Causes.Iter()
		cause, _ := it.Next()
		fmt.Printf("%s %s: refused, %s\n", r.Op, r.Addr, cause.Code())
	}
	fmt.Println("peer knows", peer.addrs)
	// Output:
	// Add IP Address 192.0.2.2: ok
	// Delete IP Address 192.0.2.1: refused, Request to Delete Source IP Address
	// peer knows [192.0.2.1 192.0.2.2]
}
