//go:build darwin || freebsd

package encap

import "golang.org/x/sys/unix"

// dontFragment sets IP_DONTFRAG and IPV6_DONTFRAG, the BSD options for
// DF on every datagram.
func dontFragment(fd uintptr, ipv6 bool) bool {
	s := int(fd)
	if !ipv6 {
		return unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_DONTFRAG, 1) == nil
	}
	return unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_DONTFRAG, 1) == nil
}
