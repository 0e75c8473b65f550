package encap

import (
	"net"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dropCounter returns a function that reads how many datagrams the kernel
// dropped at c (SO_MEMINFO's SK_MEMINFO_DROPS: mostly a full receive
// buffer), or nil if c is not a kernel socket.
func dropCounter(conn net.PacketConn) func() uint64 {
	c, ok := conn.(*net.UDPConn)
	if !ok {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	return func() uint64 {
		var info [unix.SK_MEMINFO_VARS]uint32
		size := uint32(unsafe.Sizeof(info))
		var errno unix.Errno
		if rc.Control(func(fd uintptr) {
			_, _, errno = unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
				uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
		}) != nil || errno != 0 {
			return 0
		}
		return uint64(info[unix.SK_MEMINFO_DROPS])
	}
}
