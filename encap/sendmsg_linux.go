//go:build !mobisctp_portable

package encap

// A lone datagram goes out with sendmsg(2) called directly: the common
// case of request/response traffic (an ASAP pool user's resolution, an
// association's single DATA or SACK), where sendmmsg through x/net's
// WriteBatch adds its message packing and per-call pool on top of the
// same kernel work.

import (
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// msgWriter is the state of one sendmsg call, preallocated so that a send
// allocates nothing: the message header and its destination, and the
// RawConn.Write callback, bound once (a closure handed to Write escapes).
type msgWriter struct {
	v6    bool // the socket is IPv6: destinations are sockaddr_in6
	hdr   unix.Msghdr
	iovs  []unix.Iovec          // one per piece of the datagram
	name  unix.RawSockaddrInet6 // room for an IPv4 or an IPv6 destination
	errno unix.Errno
	send  func(fd uintptr) bool
}

// msgWriters hands each concurrent sender a msgWriter of its own.
type msgWriters struct {
	rc   syscall.RawConn
	pool sync.Pool // of *msgWriter
}

func newMsgWriters(rc syscall.RawConn, v6 bool) *msgWriters {
	ws := &msgWriters{rc: rc}
	ws.pool.New = func() any {
		w := &msgWriter{v6: v6}
		w.hdr.Name = (*byte)(unsafe.Pointer(&w.name))
		w.send = w.sendmsg
		return w
	}
	return ws
}

// sendable reports whether msgWriters can send d: its destination has no
// zone, whose scope ID sendmsg would need looked up (x/net does that).
func sendable(d Datagram) bool { return d.Remote.Addr().Zone() == "" }

// write sends d, which must be sendable.
func (ws *msgWriters) write(d Datagram) error {
	w := ws.pool.Get().(*msgWriter)
	defer ws.pool.Put(w)
	w.prepare(d)
	err := ws.rc.Write(w.send)
	clear(w.iovs) // do not keep the payload alive in the pool
	if err == nil && w.errno != 0 {
		err = os.NewSyscallError("sendmsg", w.errno)
	}
	return err
}

// prepare points the message at d's pieces and destination.
func (w *msgWriter) prepare(d Datagram) {
	w.iovs = appendIovec(w.iovs[:0], d.Data)
	for _, p := range d.Rest {
		w.iovs = appendIovec(w.iovs, p)
	}
	w.hdr.Iov = &w.iovs[0]
	w.hdr.SetIovlen(len(w.iovs))
	a, port := d.Remote.Addr(), d.Remote.Port()
	if w.v6 {
		w.name = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16()}
		putNetPort(&w.name.Port, port)
		w.hdr.Namelen = unix.SizeofSockaddrInet6
		return
	}
	sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&w.name))
	*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
	putNetPort(&sa4.Port, port)
	w.hdr.Namelen = unix.SizeofSockaddrInet4
}

// appendIovec appends an iovec for p to l.
func appendIovec(l []unix.Iovec, p []byte) []unix.Iovec {
	v := unix.Iovec{Base: unsafe.SliceData(p)}
	v.SetLen(len(p))
	return append(l, v)
}

// sendmsg is the RawConn.Write callback: false tells the runtime to wait
// until the socket is writable and call it again.
func (w *msgWriter) sendmsg(fd uintptr) bool {
	for {
		_, _, errno := unix.Syscall(unix.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&w.hdr)), 0)
		if errno != unix.EINTR {
			w.errno = errno
			return errno != unix.EAGAIN
		}
	}
}

// putNetPort stores port in network byte order.
func putNetPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}
