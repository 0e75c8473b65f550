//go:build !linux

package measure

import "net"

// setBuffers sets both socket buffers of c to size bytes, as far as the OS
// allows.
func setBuffers(c *net.UDPConn, size int) error { return setBuffersCapped(c, size) }
