package encap

import (
	"io"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// batchConn is the batch API shared by ipv4.PacketConn and ipv6.PacketConn
// (ipv6.Message is an alias of ipv4.Message).
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// mmsgIO moves up to size datagrams per recvmmsg or sendmmsg call.
//
// WriteBatch is safe for concurrent use: x/net takes its per-call syscall
// state (mmsghdrs, iovecs, sockaddrs) from a sync.Pool, and the runtime
// serializes writers on the socket's file descriptor, so each sendmmsg is
// atomic. The only per-caller state is the Message slice and the
// destination addresses, which come from a pool of writeScratch too.
// Senders therefore never wait for each other except inside the kernel.
type mmsgIO struct {
	conn  *net.UDPConn
	bc    batchConn
	size  int
	rmsgs []ipv4.Message // used by the reader goroutine only
	wpool sync.Pool      // of *writeScratch
}

func newBatchIO(c *net.UDPConn, size int) packetIO {
	m := &mmsgIO{conn: c, size: size, rmsgs: make([]ipv4.Message, size)}
	if ua, _ := c.LocalAddr().(*net.UDPAddr); ua.AddrPort().Addr().Unmap().Is4() {
		m.bc = ipv4.NewPacketConn(c)
	} else {
		m.bc = ipv6.NewPacketConn(c)
	}
	for i := range m.rmsgs {
		m.rmsgs[i].Buffers = make([][]byte, 1)
	}
	m.wpool.New = func() any { return newWriteScratch(size) }
	return m
}

func (m *mmsgIO) read(ds []Datagram) (int, error) {
	ms := m.rmsgs[:min(len(ds), m.size)]
	for i := range ms {
		ms[i].Buffers[0] = ds[i].Data
	}
	n, err := m.bc.ReadBatch(ms, 0)
	if err != nil {
		return 0, err // x/net may report -1 datagrams with the error
	}
	for i, msg := range ms[:n] {
		ua, _ := msg.Addr.(*net.UDPAddr) // x/net sets a *net.UDPAddr for UDP sockets
		ds[i].Data = ds[i].Data[:msg.N]
		ds[i].Remote = ua.AddrPort() // IPv4 sources come as 4-byte IPs
	}
	return n, nil
}

func (m *mmsgIO) write(ds []Datagram) (int, error) {
	ws := m.wpool.Get().(*writeScratch)
	defer m.wpool.Put(ws)
	defer ws.release()
	sent := 0
	for sent < len(ds) {
		n, err := m.bc.WriteBatch(ws.fill(ds[sent:min(len(ds), sent+m.size)]), 0)
		if err == nil && n <= 0 {
			err = io.ErrNoProgress // never seen from the kernel; guards against spinning
		}
		if err != nil {
			return sent, err
		}
		sent += n // sendmmsg may send fewer than asked; the rest goes next round
	}
	return sent, nil
}

func (m *mmsgIO) close() error { return m.conn.Close() }

// writeScratch is the per-call state of a batch write, preallocated so
// that steady-state sends allocate nothing.
type writeScratch struct {
	msgs  []ipv4.Message
	addrs []net.UDPAddr
}

func newWriteScratch(size int) *writeScratch {
	ws := &writeScratch{msgs: make([]ipv4.Message, size), addrs: make([]net.UDPAddr, size)}
	for i := range ws.msgs {
		ws.addrs[i].IP = make(net.IP, 0, net.IPv6len)
		ws.msgs[i].Buffers = make([][]byte, 1)
		ws.msgs[i].Addr = &ws.addrs[i]
	}
	return ws
}

// fill points the first len(ds) messages at ds and returns them.
func (ws *writeScratch) fill(ds []Datagram) []ipv4.Message {
	for i, d := range ds {
		ws.msgs[i].Buffers[0] = d.Data
		setUDPAddr(&ws.addrs[i], d.Remote)
	}
	return ws.msgs[:len(ds)]
}

// release drops references to the caller's payloads so that a pooled
// scratch does not keep them alive.
func (ws *writeScratch) release() {
	for i := range ws.msgs {
		ws.msgs[i].Buffers[0] = nil
	}
}

// setUDPAddr stores ap in ua, reusing ua.IP's storage. An IPv4-mapped
// address may stay in its 16-byte form: x/net sends it as IPv4.
func setUDPAddr(ua *net.UDPAddr, ap netip.AddrPort) {
	a := ap.Addr()
	if a.Is4() {
		b := a.As4()
		ua.IP = append(ua.IP[:0], b[:]...)
	} else {
		b := a.As16()
		ua.IP = append(ua.IP[:0], b[:]...)
	}
	ua.Port = int(ap.Port())
	ua.Zone = a.Zone()
}
