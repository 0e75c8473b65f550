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
	AddAddr(a netip.Addr) error    // open a socket on a (an address appeared)
	RemoveAddr(a netip.Addr) error // close it (the address went away)
	Port() int
	Close() error
}
