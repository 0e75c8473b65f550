package stack

import (
	"net/netip"

	"github.com/mobisctp/mobisctp/encap"
)

// PacketConn is the datagram service under an Endpoint: UDP sockets on the
// local addresses (*encap.Transport) or the simulated network of the tests.
type PacketConn interface {
	SendBatch(ds []encap.Datagram) error
	LocalAddrs() []netip.Addr
	Port() int
	Close() error
}
