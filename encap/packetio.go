package encap

import (
	"net"

	"github.com/pion/logging"
)

// packetIO moves datagrams through one bound UDP socket, hiding whether a
// system call carries one datagram or a batch.
type packetIO interface {
	// readEach reads until got returns false (then it returns nil) or a
	// read fails. Each read receives into the buffers ds[i].Data of the
	// ds that next returns (their full length is the room) and sets
	// Remote, an IPv4 source in its IPv4 form; a datagram longer than its
	// buffer fills it. Usually each buffer takes one datagram and got
	// receives a prefix of ds. Where the kernel may coalesce several in
	// one buffer (UDP GRO), they are split into a slice of the reader's
	// own, valid until got returns. Either way filled is how many buffers,
	// from ds[0] on, the read wrote into: the datagrams lie in them, and
	// the rest of ds is as it was. Only the socket's reader goroutine
	// calls readEach.
	readEach(next func() []Datagram, got func(ds []Datagram, filled int) bool) error

	// write sends ds in order. It returns len(ds) and nil, or the number
	// sent before ds[n] failed and that failure. Safe for concurrent use.
	write(ds []Datagram) (int, error)

	// close closes the socket, which ends a blocked read with an error.
	close() error
}

// ioOptions say how newPacketIO may move datagrams.
type ioOptions struct {
	batch   int  // Config.BatchSize
	offload bool // use UDP GSO and GRO where the OS has them
	stats   *counters
	log     logging.LeveledLogger
}

// ioShape describes the packetIO that newPacketIO chose, for the reader.
type ioShape struct {
	batch     int  // buffers one read fills
	coalesced bool // a buffer may hold a GRO read of many datagrams
	lends     bool // read hands out the buffers' Buffers (see lendAlone)
}

// newPacketIO picks the I/O strategy for conn. Batching, and offload with
// it, needs a socket of the host (pion's vnet connections are not
// *net.UDPConn) and an OS that can batch (newBatchIO returns nil
// elsewhere).
func newPacketIO(conn net.PacketConn, o ioOptions) (packetIO, ioShape) {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return loopIO{netAddrConn{conn}}, ioShape{batch: 1}
	}
	if o.batch > 1 {
		if b, shape := newBatchIO(uc, o); b != nil {
			return b, shape
		}
	}
	return loopIO{uc}, ioShape{batch: 1}
}
