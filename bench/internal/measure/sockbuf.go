package measure

import "net"

// setBuffersCapped asks for size-byte socket buffers the unprivileged way;
// the OS may grant less.
func setBuffersCapped(c *net.UDPConn, size int) error {
	if err := c.SetReadBuffer(size); err != nil {
		return err
	}
	return c.SetWriteBuffer(size)
}
