//go:build !mobisctp_portable

package encap

import (
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/pion/logging"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// batchConn is the batch send API shared by ipv4.PacketConn and
// ipv6.PacketConn (ipv6.Message is an alias of ipv4.Message). Reads go
// through mmsgReader instead, which allocates nothing per datagram.
type batchConn interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// mmsgIO moves up to size datagrams per recvmmsg or sendmmsg call, or, with
// UDP GSO and GRO (gso_linux.go, gro_linux.go), up to size runs of them.
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
	rd    *mmsgReader // used by the reader goroutine only
	one   *msgWriters // a lone datagram's sendmsg
	wpool sync.Pool   // of *writeScratch
	gso   gsoState
	gro   groState // used by the reader goroutine only
	stats *counters
	log   logging.LeveledLogger
}

// batchIO says whether this build reads and writes in batches.
const batchIO = true

// newBatchIO returns the batch I/O for c, with offload where the kernel
// has it and o allows it, or nil if c has no file descriptor to batch on.
func newBatchIO(c *net.UDPConn, o ioOptions) (packetIO, ioShape) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, ioShape{}
	}
	m := &mmsgIO{conn: c, size: o.batch, rd: newMmsgReader(rc, o.batch), stats: o.stats, log: o.log}
	ua, _ := c.LocalAddr().(*net.UDPAddr)
	v4 := ua.AddrPort().Addr().Unmap().Is4()
	if v4 {
		m.bc = ipv4.NewPacketConn(c)
	} else {
		m.bc = ipv6.NewPacketConn(c)
	}
	m.one = newMsgWriters(rc, !v4)
	if o.offload {
		m.gso.on.Store(probeGSO(c))
		m.gro.on = enableGRO(c)
	}
	if m.gro.on {
		m.gro.init(m.rd)
	}
	gso := m.gso.on.Load()
	m.log.Debugf("socket %v: UDP GSO %v, GRO %v", c.LocalAddr(), gso, m.gro.on)
	m.wpool.New = func() any { return newWriteScratch(o.batch, gso) }
	return m, ioShape{batch: o.batch, coalesced: m.gro.on, lends: true}
}

func (m *mmsgIO) readEach(next func() []Datagram, got func([]Datagram, int) bool) error {
	return m.rd.each(next, func(ds []Datagram) bool {
		if m.gro.on {
			return got(m.split(ds), len(ds))
		}
		for i := range ds {
			lendAlone(&ds[i])
		}
		return got(ds, len(ds))
	})
}

// write sends ds, with GSO while the socket takes it, or a lone datagram
// with sendmsg.
func (m *mmsgIO) write(ds []Datagram) (int, error) {
	if len(ds) == 1 && sendable(ds[0]) {
		if err := m.one.write(ds[0]); err != nil {
			return 0, err
		}
		return 1, nil
	}
	ws := m.wpool.Get().(*writeScratch)
	defer m.wpool.Put(ws)
	defer ws.release()
	sent := 0
	if m.gso.on.Load() {
		n, err := m.writeGSO(ws, ds)
		if err != nil || n == len(ds) {
			return n, err
		}
		sent = n // GSO was turned off on the way: the rest goes without
	}
	n, err := m.writePlain(ws, ds[sent:])
	return sent + n, err
}

// writePlain sends ds one datagram per message.
func (m *mmsgIO) writePlain(ws *writeScratch, ds []Datagram) (int, error) {
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
	bufs  [][]byte   // the messages' Buffers, one after the other
	gso   gsoScratch // on sockets with GSO
}

func newWriteScratch(size int, gso bool) *writeScratch {
	ws := &writeScratch{msgs: make([]ipv4.Message, size), addrs: make([]net.UDPAddr, size)}
	for i := range ws.msgs {
		ws.addrs[i].IP = make(net.IP, 0, net.IPv6len)
		ws.msgs[i].Addr = &ws.addrs[i]
	}
	if gso {
		ws.gso = newGSOScratch(size)
	}
	return ws
}

// fill points the first len(ds) messages at ds and returns them.
func (ws *writeScratch) fill(ds []Datagram) []ipv4.Message {
	ws.bufs = ws.bufs[:0]
	for i := range ds {
		ws.msgs[i].Buffers, ws.msgs[i].OOB = ws.gather(ds[i:i+1]), nil
		setUDPAddr(&ws.addrs[i], ds[i].Remote)
	}
	return ws.msgs[:len(ds)]
}

// gather appends the pieces of ds to ws.bufs and returns them, the
// Buffers of one message. Earlier messages keep theirs if bufs grows.
func (ws *writeScratch) gather(ds []Datagram) [][]byte {
	start := len(ws.bufs)
	for i := range ds {
		ws.bufs = appendPieces(ws.bufs, start, &ds[i])
	}
	return ws.bufs[start:len(ws.bufs):len(ws.bufs)]
}

// release drops references to the caller's payloads so that a pooled
// scratch does not keep them alive.
func (ws *writeScratch) release() {
	clear(ws.bufs[:cap(ws.bufs)])
	ws.bufs = ws.bufs[:0]
	for i := range ws.msgs {
		ws.msgs[i].Buffers = nil
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
