//go:build !linux || mobisctp_portable

package encap

import (
	"net"
	"net/netip"
	"syscall"
)

// ReportsPacketTooBig says whether sockets report Packet Too Big
// (Config.PacketTooBig) in this build.
const ReportsPacketTooBig = false

// errQueue is Linux's socket error queue; other systems (and the portable
// build) report no ICMP errors, so no Packet Too Big hints.
type errQueue struct{}

// openErrQueue returns nil: there is no error queue to read.
func openErrQueue(net.PacketConn, bool) *errQueue { return nil }

func (*errQueue) drain(netip.AddrPort, syscall.Errno) ([]PacketTooBig, int, bool) {
	return nil, 0, false
}
