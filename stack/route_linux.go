package stack

import (
	"net/netip"
	"syscall"
	"unsafe"
)

// canProbe says that probe sockets can be asked for their source.
const canProbe = true

// connectedSource connects the probe socket rc to dst (which sends
// nothing) and returns the local address the OS chose for it, or the zero
// Addr. The socket is dissolved from its previous destination first:
// Linux keeps the source address of a connected UDP socket across a
// reconnect, and resets it only on a connect to AF_UNSPEC.
func connectedSource(rc syscall.RawConn, dst netip.AddrPort) netip.Addr {
	var src netip.Addr
	var sa syscall.Sockaddr
	if dst.Addr().Is4() {
		sa = &syscall.SockaddrInet4{Port: int(dst.Port()), Addr: dst.Addr().As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(dst.Port()), Addr: dst.Addr().As16()}
	}
	_ = rc.Control(func(fd uintptr) {
		var unspec syscall.RawSockaddr // family AF_UNSPEC
		_, _, _ = syscall.Syscall(syscall.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&unspec)), unsafe.Sizeof(unspec))
		if syscall.Connect(int(fd), sa) != nil {
			return
		}
		got, err := syscall.Getsockname(int(fd))
		if err != nil {
			return
		}
		switch s := got.(type) {
		case *syscall.SockaddrInet4:
			src = netip.AddrFrom4(s.Addr)
		case *syscall.SockaddrInet6:
			src = netip.AddrFrom16(s.Addr).Unmap()
		}
	})
	return src
}
