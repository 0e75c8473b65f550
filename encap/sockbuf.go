package encap

import "net"

// bufferSizer is implemented by connections with socket buffers to size,
// such as pion's UDPConn (whose vnet implementation refuses).
type bufferSizer interface {
	SetReadBuffer(bytes int) error
	SetWriteBuffer(bytes int) error
}

// sizeBuffers asks for socket buffers of the given sizes and returns the
// sizes granted, zero where unknown or refused.
func sizeBuffers(conn net.PacketConn, read, write int) (gotRead, gotWrite int) {
	switch c := conn.(type) {
	case *net.UDPConn:
		return sizeUDPBuffers(c, read, write)
	case bufferSizer:
		return requested(c.SetReadBuffer, read), requested(c.SetWriteBuffer, write)
	}
	return 0, 0
}

// requested asks for n bytes with set and returns n if that succeeded, or
// 0. It fits kernels that grant a buffer size exactly or refuse it (the
// BSDs, macOS, Windows), unlike Linux, which clamps silently.
func requested(set func(int) error, n int) int {
	if set(n) != nil {
		return 0
	}
	return n
}
