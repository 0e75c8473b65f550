//go:build !mobisctp_portable

package encap

// UDP generic receive offload (GRO, Linux 5.0 and later).
//
// With the UDP_GRO option on, the kernel may hand a socket several
// datagrams of one flow, back to back in one buffer, with a UDP_GRO control
// message giving their size; all have it but the last, which may be
// shorter. On loopback this happens when the sender used GSO: its run
// arrives as it was sent. The reader splits such buffers before the
// handler sees them, so a read can return more datagrams than it has
// buffers.

import (
	"encoding/binary"
	"net"

	"golang.org/x/sys/unix"
)

// groState is the receive side of GRO on one socket.
type groState struct {
	on  bool
	out []Datagram // the datagrams of the latest read, split; reused
}

// enableGRO turns UDP_GRO on for c and reports whether the kernel took it.
func enableGRO(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	_ = rc.Control(func(fd uintptr) { // fails only on a closed socket: ok stays false
		ok = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_GRO, 1) == nil
	})
	return ok
}

// init gives each message that r reads room for the UDP_GRO control
// message, the only one the socket asks for.
func (g *groState) init(r *mmsgReader) {
	r.initControl(unix.CmsgSpace(4))
	g.out = make([]Datagram, 0, len(r.hdrs))
}

// split returns the datagrams of ds, the latest read of m.rd, with each
// coalesced buffer cut into the datagrams it holds, in order.
func (m *mmsgIO) split(ds []Datagram) []Datagram {
	out := m.gro.out[:0]
	reads, segments := 0, 0
	for i, d := range ds {
		oob, flags := m.rd.control(i)
		size := groSegmentSize(oob)
		if size <= 0 || size >= len(d.Data) {
			lendAlone(&d)
			out = append(out, d)
			continue
		}
		n := len(out)
		out = appendSegments(out, d, size)
		if flags&unix.MSG_TRUNC != 0 {
			out = m.dropCut(out, len(d.Data)%size != 0)
		}
		reads, segments = reads+1, segments+len(out)-n
	}
	if reads > 0 {
		m.stats.groReads.Add(uint64(reads))
		m.stats.groSegments.Add(uint64(segments))
	}
	m.gro.out = out
	return out
}

// appendSegments appends the datagrams of d, size bytes each but the last,
// in d's Buffer. Each has its own capacity, so that a handler that appends
// to one does not overwrite the next.
func appendSegments(out []Datagram, d Datagram, size int) []Datagram {
	for b := d.Data; len(b) > 0; {
		k := min(size, len(b))
		out = append(out, Datagram{Data: b[:k:k], Remote: d.Remote, Buffer: d.Buffer})
		b = b[k:]
	}
	return out
}

// dropCut handles a coalesced read longer than its buffer, which 64 KiB
// buffers should rule out: the datagrams past the end are lost, and so is
// the last one split out if the end cut it (partial). They count as one
// truncated datagram, the least that was lost.
func (m *mmsgIO) dropCut(out []Datagram, partial bool) []Datagram {
	m.stats.truncated.Add(1)
	if partial {
		out = out[:len(out)-1]
	}
	return out
}

// groSegmentSize returns the segment size that a UDP_GRO control message
// in oob gives, or 0 if there is none.
func groSegmentSize(oob []byte) int {
	for len(oob) >= unix.CmsgLen(0) {
		h, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return 0
		}
		if h.Level == unix.SOL_UDP && h.Type == unix.UDP_GRO && len(data) >= 4 {
			return int(int32(binary.NativeEndian.Uint32(data)))
		}
		oob = rest
	}
	return 0
}
