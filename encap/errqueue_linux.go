//go:build !mobisctp_portable

package encap

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The socket error queue (IP_RECVERR, IPV6_RECVERR; see ip(7)). With the
// option on, the kernel queues every ICMP error for a datagram the socket
// sent, with the MTU a "fragmentation needed" or "packet too big" reports,
// the original destination and the start of the datagram; it also queues
// the sending host's own refusals (EMSGSIZE: over the interface's MTU),
// which give the interface's MTU. It costs the data path nothing: the
// queue is read only after a read or a send failed, which is how the
// kernel signals that an error is pending (the reader's poll also wakes
// with EPOLLERR, and its recvmmsg returns the error).

// ReportsPacketTooBig says whether sockets report Packet Too Big
// (Config.PacketTooBig) in this build.
const ReportsPacketTooBig = true

// One race remains: the kernel keeps a single pending error for many
// queued reports, so a read may drain a report whose pending error a
// send then meets with the queue already empty; that send is reported
// as refused (a datagram lost, and for a "host unreachable" from a
// router, a path error on a path that may not be the one it was for).

// errQueue reads one socket's error queue. Readers and senders may drain
// it concurrently; mu guards the buffers.
type errQueue struct {
	rc  syscall.RawConn
	mu  sync.Mutex
	buf []byte // the quoted datagram
	oob []byte // one IP_RECVERR control message
}

// IP and UDP header sizes, to turn a reported MTU into a UDP payload.
const (
	udpHeaderLen = 8
	ipv4Overhead = 20 + udpHeaderLen
	ipv6Overhead = 40 + udpHeaderLen
)

// maxErrorsPerDrain bounds one pass over a socket's error queue, so that
// a flood of ICMP errors cannot hold a reader or a sender for long; what
// is left waits for the next failed read or send.
const maxErrorsPerDrain = 64

// sizeofExtendedErr is the size of struct sock_extended_err.
const sizeofExtendedErr = int(unsafe.Sizeof(unix.SockExtendedErr{}))

// quoteLen is as much of a quoted datagram as is kept: enough for any
// header a caller may check (SCTP's common header is 12 bytes).
const quoteLen = 64

// openErrQueue turns on IP_RECVERR (and IPV6_RECVERR on an IPv6 socket,
// which also carries IPv4-mapped traffic) on conn and returns its queue,
// or nil if conn is not a kernel socket or the option is refused.
func openErrQueue(conn net.PacketConn, ipv6 bool) *errQueue {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return nil
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	on := false
	_ = rc.Control(func(fd uintptr) {
		s := int(fd)
		on = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_RECVERR, 1) == nil
		if ipv6 {
			on = unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1) == nil
		}
	})
	if !on {
		return nil
	}
	space := unix.CmsgSpace(sizeofExtendedErr + unix.SizeofSockaddrInet6)
	return &errQueue{rc: rc, buf: make([]byte, quoteLen), oob: make([]byte, space)}
}

// drain reads the queue until it is empty (or maxErrorsPerDrain errors
// were read). It returns the Packet Too Big reports among them (local is
// the socket's address), how many errors it read, and whether one came
// from the network with errno want.
func (q *errQueue) drain(local netip.AddrPort, want syscall.Errno) (ptbs []PacketTooBig, read int, async bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for read < maxErrorsPerDrain {
		var n, oobn int
		var from unix.Sockaddr
		var err error
		_ = q.rc.Control(func(fd uintptr) {
			n, oobn, _, from, err = unix.Recvmsg(int(fd), q.buf, q.oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		})
		if err != nil {
			return ptbs, read, async // EAGAIN: empty
		}
		read++
		ee, router, ok := extendedErr(q.oob[:oobn])
		if !ok {
			continue
		}
		if ee.Origin == unix.SO_EE_ORIGIN_ICMP || ee.Origin == unix.SO_EE_ORIGIN_ICMP6 {
			async = async || syscall.Errno(ee.Errno) == want
		}
		if r, ok := packetTooBig(ee, sockaddrPort(from), router); ok {
			r.Local, r.Quote = local, append([]byte(nil), q.buf[:min(n, len(q.buf))]...)
			ptbs = append(ptbs, r)
		}
	}
	return ptbs, read, async
}

// extendedErr finds the sock_extended_err in control messages read from
// the error queue, and the address of the router that sent the ICMP
// error, if any.
func extendedErr(oob []byte) (*unix.SockExtendedErr, netip.Addr, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, netip.Addr{}, false
	}
	for _, m := range msgs {
		ip4 := m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR
		ip6 := m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR
		if (!ip4 && !ip6) || len(m.Data) < sizeofExtendedErr {
			continue
		}
		d := m.Data
		ee := &unix.SockExtendedErr{
			Errno: binary.NativeEndian.Uint32(d), Origin: d[4], Type: d[5], Code: d[6],
			Info: binary.NativeEndian.Uint32(d[8:]), Data: binary.NativeEndian.Uint32(d[12:]),
		}
		return ee, offender(d[sizeofExtendedErr:]), true
	}
	return nil, netip.Addr{}, false
}

// offender decodes the sockaddr that follows a sock_extended_err
// (SO_EE_OFFENDER): the ICMP error's source, unspecified for a local one.
func offender(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	switch binary.NativeEndian.Uint16(b) {
	case unix.AF_INET:
		if len(b) >= unix.SizeofSockaddrInet4 {
			return netip.AddrFrom4([4]byte(b[4:8]))
		}
	case unix.AF_INET6:
		if len(b) >= unix.SizeofSockaddrInet6 {
			return netip.AddrFrom16([16]byte(b[8:24])).Unmap()
		}
	}
	return netip.Addr{}
}

// packetTooBig makes a report of an extended error that says a datagram
// to dst was too big: ICMP type 3 code 4, ICMPv6 type 2, or the local
// host's EMSGSIZE. Sizes that leave no payload are not reports.
func packetTooBig(ee *unix.SockExtendedErr, dst netip.AddrPort, router netip.Addr) (PacketTooBig, bool) {
	overhead := ipv6Overhead
	switch {
	case ee.Origin == unix.SO_EE_ORIGIN_ICMP && ee.Type == 3 && ee.Code == 4:
		overhead = ipv4Overhead
	case ee.Origin == unix.SO_EE_ORIGIN_ICMP6 && ee.Type == 2:
	case ee.Origin == unix.SO_EE_ORIGIN_LOCAL && syscall.Errno(ee.Errno) == unix.EMSGSIZE:
		router = netip.Addr{}
		if dst.Addr().Is4() {
			overhead = ipv4Overhead
		}
	default:
		return PacketTooBig{}, false
	}
	size := int(ee.Info) - overhead
	if size <= 0 || !dst.IsValid() {
		return PacketTooBig{}, false
	}
	return PacketTooBig{Remote: dst, Router: router, Size: size}, true
}

// sockaddrPort converts the original destination that the error queue
// gives as the message's source, an IPv4-mapped one in its IPv4 form.
func sockaddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
	}
	return netip.AddrPort{}
}
