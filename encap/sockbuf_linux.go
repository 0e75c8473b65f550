package encap

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// sizeUDPBuffers tries SO_RCVBUFFORCE and SO_SNDBUFFORCE first: with root
// or CAP_NET_ADMIN they pass the net.core.rmem_max and wmem_max limits,
// which are far below useful sizes by default. Without privilege it falls
// back to SO_RCVBUF and SO_SNDBUF, which the kernel clamps silently, so the
// granted sizes are read back.
func sizeUDPBuffers(c *net.UDPConn, read, write int) (int, int) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, 0
	}
	return sizeBuffer(rc, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, read),
		sizeBuffer(rc, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, write)
}

func sizeBuffer(rc syscall.RawConn, force, opt, n int) (granted int) {
	_ = rc.Control(func(fd uintptr) { // fails only on a closed socket: granted stays 0
		s := int(fd)
		if unix.SetsockoptInt(s, unix.SOL_SOCKET, force, n) != nil {
			_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, opt, n)
		}
		granted, _ = unix.GetsockoptInt(s, unix.SOL_SOCKET, opt)
	})
	return granted
}
