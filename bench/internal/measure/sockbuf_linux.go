package measure

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// setBuffers sets both socket buffers of c to size bytes. It forces the
// size past net.core.rmem_max and wmem_max where the process may
// (CAP_NET_ADMIN, as root); elsewhere the kernel caps it at those limits.
func setBuffers(c *net.UDPConn, size int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var forced error
	err = rc.Control(func(fd uintptr) {
		forced = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size)
		if forced == nil {
			forced = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, size)
		}
	})
	if err != nil {
		return err
	}
	if forced == nil {
		return nil
	}
	if err := setBuffersCapped(c, size); err != nil {
		return fmt.Errorf("socket buffers: %w", err)
	}
	return nil
}
