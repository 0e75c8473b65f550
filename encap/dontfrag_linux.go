package encap

import "golang.org/x/sys/unix"

// dontFragment uses IP_PMTUDISC_PROBE: DF on every datagram and no local
// fragmentation, while the cached path MTU neither limits what may be sent
// (a probe must be able to exceed it) nor refuses a GSO run. An IPv6 socket
// also carries IPv4-mapped traffic, so it gets both options.
func dontFragment(fd uintptr, ipv6 bool) bool {
	s := int(fd)
	v4 := unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE) == nil
	if !ipv6 {
		return v4
	}
	return unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE) == nil
}
