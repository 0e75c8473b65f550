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

	// The latest call's message count and outcome (see each).
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

// each reads batches of datagrams into the buffers that next returns and
// hands each batch, cut to the datagrams read, to got, until got returns
// false (each then returns nil) or a read fails.
//
// It waits for the socket within one RawConn.Read. A read that brought
// a lone datagram, of more offered, found the socket empty, and each then
// waits for the poller instead of calling recvmmsg again only to be told
// so: that empty call was one system call in three of a pool user's.
// After more than one, the socket is busy, and the next call reads what
// came meanwhile without waiting for the poller. A RawConn.Read per batch
// could not skip the empty call, since each forgets the poller's
// readiness when it starts (prepareRead), which a datagram that came
// while got ran had set.
func (r *mmsgReader) each(next func() []Datagram, got func(ds []Datagram) bool) error {
	var ds []Datagram // prepared for the next call
	stopped := false
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			if ds == nil {
				ds = next()
				r.prepare(ds)
			}
			r.call(fd)
			switch r.errno {
			case unix.EAGAIN:
				return false // wait until the socket is readable
			case 0:
			default:
				return true
			}
			r.finish(ds)
			lone := r.n == 1 && r.vlen > 1
			batch := ds[:r.n]
			ds = nil
			if !got(batch) {
				stopped = true
				return true
			}
			if lone {
				return false
			}
		}
	})
	switch {
	case err != nil:
		return err // the socket is closed, or the deadline passed
	case !stopped:
		return os.NewSyscallError("recvmmsg", r.errno)
	}
	return nil
}

// call makes one recvmmsg call with the prepared messages.
func (r *mmsgReader) call(fd uintptr) {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(r.vlen), 0, 0, 0)
		if errno != unix.EINTR { // a retry, not a wait: the data may be there already
			r.n, r.errno = int(n), errno
			return
		}
	}
}

// finish cuts the buffers of ds to what the latest call received, sets
// their sources and sizes the next call's offer.
func (r *mmsgReader) finish(ds []Datagram) {
	for i := range r.n {
		ds[i].Data = ds[i].Data[:r.hdrs[i].Len]
		ds[i].Remote = r.source(i)
	}
	r.want = max(2*r.n, minOffer)
	if r.n == r.vlen {
		r.want = len(r.hdrs) // more may wait: offer them all
	}
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
