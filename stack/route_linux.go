package stack

import (
	"net/netip"
	"syscall"
	"unsafe"
)

// canProbe says that probe sockets can be asked for their route.
const canProbe = true

// connectedRoute connects the probe socket rc to dst (which sends nothing)
// and returns the local address the OS chose for it and the MTU of the
// route it took (IP_MTU, IPV6_MTU: that of the route's device, or the
// path MTU the kernel learned for dst if smaller), either zero where the
// OS did not tell. The socket is dissolved from its previous destination
// first: Linux keeps the source address of a connected UDP socket across
// a reconnect, and resets it only on a connect to AF_UNSPEC.
func connectedRoute(rc syscall.RawConn, dst netip.AddrPort) route {
	var r route
	var sa syscall.Sockaddr
	level, opt := syscall.IPPROTO_IP, syscall.IP_MTU
	if dst.Addr().Is4() {
		sa = &syscall.SockaddrInet4{Port: int(dst.Port()), Addr: dst.Addr().As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(dst.Port()), Addr: dst.Addr().As16()}
		level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_MTU
	}
	_ = rc.Control(func(fd uintptr) {
		var unspec syscall.RawSockaddr // family AF_UNSPEC
		_, _, _ = syscall.Syscall(syscall.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&unspec)), unsafe.Sizeof(unspec))
		if syscall.Connect(int(fd), sa) != nil {
			return
		}
		if mtu, err := syscall.GetsockoptInt(int(fd), level, opt); err == nil && mtu > 0 {
			r.mtu = mtu
		}
		got, err := syscall.Getsockname(int(fd))
		if err != nil {
			return
		}
		switch s := got.(type) {
		case *syscall.SockaddrInet4:
			r.src = netip.AddrFrom4(s.Addr)
		case *syscall.SockaddrInet6:
			r.src = netip.AddrFrom16(s.Addr).Unmap()
		}
	})
	return r
}
