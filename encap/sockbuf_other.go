//go:build !linux

package encap

import "net"

func sizeUDPBuffers(c *net.UDPConn, read, write int) (int, int) {
	return requested(c.SetReadBuffer, read), requested(c.SetWriteBuffer, write)
}
