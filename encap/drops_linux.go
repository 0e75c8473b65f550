package encap

import (
	"errors"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dropCounter returns a function that reads how many datagrams the kernel
// dropped at c (SO_MEMINFO's SK_MEMINFO_DROPS: mostly a full receive
// buffer), or nil if c is not a kernel socket or the system does not
// answer SO_MEMINFO (qemu-user does not).
func dropCounter(conn net.PacketConn) func() uint64 {
	c, ok := conn.(*net.UDPConn)
	if !ok {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	if _, err := socketDrops(rc); err != nil {
		return nil
	}
	return func() uint64 {
		n, _ := socketDrops(rc)
		return n
	}
}

var errMemInfo = errors.New("encap: SO_MEMINFO without the drop count")

// socketDrops asks the kernel for rc's SK_MEMINFO_DROPS.
func socketDrops(rc syscall.RawConn) (uint64, error) {
	var info [unix.SK_MEMINFO_VARS]uint32
	size := uint32(unsafe.Sizeof(info))
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
	}); err != nil {
		return 0, err
	}
	if errno != 0 {
		return 0, errno
	}
	if size <= unix.SK_MEMINFO_DROPS*4 {
		return 0, errMemInfo // the system answered without the drop count
	}
	return uint64(info[unix.SK_MEMINFO_DROPS]), nil
}
