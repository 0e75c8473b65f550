package encap

import "golang.org/x/sys/windows"

// Windows numbers IPV6_MTU_DISCOVER like IP_MTU_DISCOVER (71, ws2ipdef.h);
// x/sys names only the IPv4 one.
const ipv6MTUDiscover = windows.IP_MTU_DISCOVER

// dontFragment uses IP_PMTUDISC_PROBE as on Linux: DF always, the cached
// path MTU ignored.
func dontFragment(fd uintptr, ipv6 bool) bool {
	h := windows.Handle(fd)
	if !ipv6 {
		return windows.SetsockoptInt(h, windows.IPPROTO_IP, windows.IP_MTU_DISCOVER, windows.IP_PMTUDISC_PROBE) == nil
	}
	return windows.SetsockoptInt(h, windows.IPPROTO_IPV6, ipv6MTUDiscover, windows.IP_PMTUDISC_PROBE) == nil
}
