package encap

import (
	"fmt"
	"net/netip"
)

// SendError is a datagram the OS refused to send (network or host
// unreachable, address not available, a local firewall...). SendBatch
// returns one per refused datagram, joined, so that the caller can tell
// which destinations failed from which source.
type SendError struct {
	Local, Remote netip.AddrPort
	Err           error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("encap: send from %v to %v: %v", e.Local, e.Remote, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }
