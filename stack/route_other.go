//go:build !linux

package stack

import (
	"net/netip"
	"syscall"
)

// canProbe says that probe sockets cannot be asked for their source.
const canProbe = false

// connectedSource is not available here: the caller dials a socket per
// query instead (see askOS).
func connectedSource(syscall.RawConn, netip.AddrPort) netip.Addr { return netip.Addr{} }
