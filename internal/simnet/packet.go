package simnet

import (
	"net/netip"
	"time"
)

// A packet is one copy of a datagram inside the network, from the moment a
// link accepts it until the receiving handler returns. Packets and their
// buffers are recycled, so steady traffic does not allocate.
type packet struct {
	data     []byte
	src, dst netip.AddrPort
	due      time.Duration // arrival, as an offset from the network's epoch
	link     *link         // the link it travels, whose counters record its fate
	to       *Conn         // the socket it arrived at; nil if none listened
}

// newPacketLocked returns a packet holding a copy of data.
func (n *Network) newPacketLocked(data []byte) *packet {
	var p *packet
	if k := len(n.free); k > 0 {
		p = n.free[k-1]
		n.free[k-1] = nil
		n.free = n.free[:k-1]
	} else {
		p = new(packet)
	}
	p.data = append(p.data[:0], data...)
	return p
}

// freeLocked recycles p, keeping its buffer.
func (n *Network) freeLocked(p *packet) {
	*p = packet{data: p.data[:0]}
	n.free = append(n.free, p)
}
