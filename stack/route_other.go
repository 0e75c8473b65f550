//go:build !linux

package stack

import (
	"net/netip"
	"syscall"
)

// canProbe says that probe sockets cannot be asked for their route.
const canProbe = false

// connectedRoute is not available here: the caller dials a socket per
// query instead (see askOS), which tells the source but not the MTU.
func connectedRoute(syscall.RawConn, netip.AddrPort) route { return route{} }
