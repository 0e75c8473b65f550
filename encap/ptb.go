package encap

import (
	"errors"
	"net/netip"
	"syscall"
)

// PacketTooBig is the OS's report that a datagram the transport sent was
// too big for the path: an ICMP "fragmentation needed" or ICMPv6 "packet
// too big" from a router, or the sending host's own interface refusing
// it. It is a hint, not a proof: anyone on the path can forge an ICMP
// message, so the caller checks Quote against what it sent and confirms
// the size by its own means (RFC 8899 section 4.6).
type PacketTooBig struct {
	Local  netip.AddrPort // the socket that sent the datagram
	Remote netip.AddrPort // where it went (port zero when the local host refused it)

	// Router is the router that reported it, the zero Addr when the
	// local host refused the datagram (then Quote is empty).
	Router netip.Addr

	// Size is the largest UDP payload the report allows: the MTU it gave
	// less the IP and UDP headers.
	Size int

	// Quote is the start of the datagram's UDP payload as the router
	// quoted it (at least 8 bytes of IP payload by RFC 792, so possibly
	// none of ours; Linux routers quote up to 576 bytes of packet). It
	// is valid only during the call.
	Quote []byte
}

// readErrors drains s's error queue, if it has one (Linux with
// Config.PacketTooBig set), hands its Packet Too Big reports to the
// callback and counts the other errors. It reports whether the queue held
// an ICMP error of err's errno: the kernel then returned that error to a
// read or a send of some other datagram (Linux reports an ICMP error on a
// socket with IP_RECVERR to its next operation, whichever it is), and a
// send that failed this way did not send its own datagram.
func (t *Transport) readErrors(s *socket, err error) bool {
	if s.errq == nil {
		return false
	}
	var errno syscall.Errno
	errors.As(err, &errno)
	reports, read, async := s.errq.drain(s.local, errno)
	t.stats.icmpErrors.Add(uint64(read))
	for i := range reports {
		t.stats.packetTooBig.Add(1)
		t.cfg.PacketTooBig(reports[i])
	}
	return async
}
