package encap

import "net"

// packetIO moves datagrams through one bound UDP socket, hiding whether a
// system call carries one datagram or a batch.
type packetIO interface {
	// read blocks until datagrams arrive and stores up to len(ds) of them,
	// returning how many. It receives into ds[i].Data (its full length is
	// the buffer), shortens Data to what arrived (a datagram longer than
	// the buffer fills it) and sets Remote, an IPv4 source in its IPv4
	// form. Only the socket's reader goroutine calls read.
	read(ds []Datagram) (int, error)

	// write sends ds in order. It returns len(ds) and nil, or the number
	// sent before ds[n] failed and that failure. Safe for concurrent use.
	write(ds []Datagram) (int, error)

	// close closes the socket, which ends a blocked read with an error.
	close() error
}

// newPacketIO picks the I/O strategy for conn and reports how many
// datagrams one of its reads can return. Batching needs a socket of the
// host (pion's vnet connections are not *net.UDPConn) and an OS that can
// batch (newBatchIO returns nil elsewhere).
func newPacketIO(conn net.PacketConn, batch int) (packetIO, int) {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return loopIO{netAddrConn{conn}}, 1
	}
	if batch > 1 {
		if b := newBatchIO(uc, batch); b != nil {
			return b, batch
		}
	}
	return loopIO{uc}, 1
}
