package encap

import (
	"net"
	"syscall"
)

// setDontFragment makes every datagram the socket sends leave with the IP
// Don't Fragment bit (IPv4) or unfragmented (IPv6), GSO batches included,
// and without regard to the kernel's cached path MTU. SCTP finds the path
// MTU itself (RFC 8899 section 10.2): a datagram that the network cannot
// carry must be lost and noticed, not fragmented. Linux's default
// (IP_PMTUDISC_WANT) sets DF only on datagrams below the cached path MTU,
// so a GSO run, being larger as a whole, left with DF clear and was
// fragmented while the same packets sent one by one were dropped.
//
// It reports whether the option took; connections without a kernel socket
// (simulated networks) have no fragmentation to prevent.
func setDontFragment(conn net.PacketConn, ipv6 bool) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var set bool
	_ = rc.Control(func(fd uintptr) { set = dontFragment(fd, ipv6) }) // fails only on a closed socket
	return set
}
