//go:build !linux

package encap

import "net"

// dropCounter returns nil: only Linux tells a socket's drops.
func dropCounter(net.PacketConn) func() uint64 { return nil }
