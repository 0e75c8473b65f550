//go:build !mobisctp_portable

package encap

// Batch reads with recvmmsg(2) called directly rather than through x/net's
// ReadBatch, which allocates a *net.UDPAddr for every datagram: here all
// system call state is allocated once per socket and the sources are
// decoded into netip.AddrPort, so steady-state reads allocate nothing.

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgReader reads batches of datagrams from one socket. Only the
// socket's reader goroutine uses it.
type mmsgReader struct {
	rc    syscall.RawConn
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // room for an IPv4 or an IPv6 source
	oob   [][]byte                // per message, room for control messages, if any
	zone  zoneCache

	// The latest call's message count and outcome. They pass through
	// fields, and recv is bound once, because a closure handed to
	// RawConn.Read escapes and would be allocated on every read.
	vlen int
	n    int
	// want is how many messages the next call offers: twice what the last
	// one brought, at least minOffer, or all after a call that filled what
	// it offered. A reader of lone datagrams (a pool user, a registrar's
	// requests) then prepares a few messages per call instead of the whole
	// batch, whose headers are as many cold cache lines: a tenth of the CPU
	// of a handle resolution at 32 users. A burst after a quiet spell
	// costs one call more.
	want  int
	errno unix.Errno
	recv  func(fd uintptr) bool
}

// minOffer is the fewest messages a call offers (see mmsgReader.want).
const minOffer = 16

// newMmsgReader returns a reader of up to size datagrams per call from the
// socket of rc, without room for control messages (see initControl).
func newMmsgReader(rc syscall.RawConn, size int) *mmsgReader {
	r := &mmsgReader{
		rc:    rc,
		hdrs:  make([]unix.Mmsghdr, size),
		iovs:  make([]unix.Iovec, size),
		names: make([]unix.RawSockaddrInet6, size),
		oob:   make([][]byte, size),
	}
	for i := range r.hdrs {
		h := &r.hdrs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&r.names[i]))
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
	}
	r.recv = r.recvmmsg
	r.want = size
	return r
}

// initControl gives each message space bytes for control messages.
func (r *mmsgReader) initControl(space int) {
	block := make([]byte, len(r.hdrs)*space) // 8-byte aligned, as cmsghdrs must be
	for i := range r.oob {
		r.oob[i] = block[i*space : (i+1)*space : (i+1)*space]
		r.hdrs[i].Hdr.Control = &r.oob[i][0]
	}
}

// read receives into the buffers ds[i].Data, as packetIO.read does, and
// returns the number of datagrams received.
func (r *mmsgReader) read(ds []Datagram) (int, error) {
	r.prepare(ds)
	if err := r.rc.Read(r.recv); err != nil {
		return 0, err // the socket is closed, or the deadline passed
	}
	if r.errno != 0 {
		return 0, os.NewSyscallError("recvmmsg", r.errno)
	}
	for i := range r.n {
		ds[i].Data = ds[i].Data[:r.hdrs[i].Len]
		ds[i].Remote = r.source(i)
	}
	r.want = max(2*r.n, minOffer)
	if r.n == r.vlen {
		r.want = len(r.hdrs) // more may wait: offer them all
	}
	return r.n, nil
}

// prepare points the messages at the buffers of ds and resets the lengths
// that the kernel overwrites with what it filled in.
func (r *mmsgReader) prepare(ds []Datagram) {
	r.vlen = min(len(ds), len(r.hdrs), r.want)
	for i := range r.vlen {
		r.iovs[i].Base = unsafe.SliceData(ds[i].Data)
		r.iovs[i].SetLen(len(ds[i].Data))
		h := &r.hdrs[i].Hdr
		h.Namelen = unix.SizeofSockaddrInet6
		h.SetControllen(len(r.oob[i]))
	}
}

// recvmmsg is the RawConn.Read callback: false tells the runtime to wait
// until the socket is readable and call it again.
func (r *mmsgReader) recvmmsg(fd uintptr) bool {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(r.vlen), 0, 0, 0)
		if errno != unix.EINTR { // a retry, not a wait: the data may be there already
			r.n, r.errno = int(n), errno
			return errno != unix.EAGAIN
		}
	}
}

// control returns the control messages and the flags of message i of the
// latest read.
func (r *mmsgReader) control(i int) (oob []byte, flags int) {
	h := &r.hdrs[i].Hdr
	return r.oob[i][:h.Controllen], int(h.Flags)
}

// source decodes the source of message i of the latest read as x/net did:
// an IPv4 sockaddr (what an IPv4 socket gets) as a 4-byte address, an
// IPv6 one as a 16-byte address with the zone of its scope, if any.
func (r *mmsgReader) source(i int) netip.AddrPort {
	sa, n := &r.names[i], r.hdrs[i].Hdr.Namelen
	switch {
	case sa.Family == unix.AF_INET && n >= unix.SizeofSockaddrInet4:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), netPort(&sa4.Port))
	case sa.Family == unix.AF_INET6 && n >= unix.SizeofSockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			a = a.WithZone(r.zone.name(sa.Scope_id))
		}
		return netip.AddrPortFrom(a, netPort(&sa.Port))
	}
	return netip.AddrPort{} // no source the kernel gives a UDP socket
}

// netPort returns a port stored in network byte order.
func netPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// zoneCache remembers the zone name of the latest scope ID: looking an
// interface up allocates, and a socket's link-local peers all come in on
// one interface.
type zoneCache struct {
	id   uint32
	zone string
}

// name returns the name of interface id, or id in decimal, which netip
// and net take as well, if there is none (as x/net does).
func (z *zoneCache) name(id uint32) string {
	if id != z.id { // never 0, the cache's start: scope 0 has no zone
		z.id, z.zone = id, strconv.FormatUint(uint64(id), 10)
		if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
			z.zone = ifi.Name
		}
	}
	return z.zone
}
