//go:build !mobisctp_portable

package encap

// UDP generic segmentation offload on send (GSO, Linux 4.18 and later).
//
// One message with a UDP_SEGMENT control message carries a run of
// datagrams for one destination laid end to end, and the kernel cuts it
// into datagrams of the given size, the last one possibly shorter, as late
// as it can: on loopback only at the receiving socket, or never when that
// socket has UDP GRO on. A run of up to 64 datagrams then takes one trip
// through the stack instead of 64.

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

const (
	// gsoMaxSegments is the kernel's UDP_MAX_SEGMENTS on older kernels
	// (newer ones take 128); a longer run fails with EINVAL.
	gsoMaxSegments = 64

	// gsoMaxBytes is the largest UDP payload of an IPv4 packet (65535
	// less the IP and UDP headers), which bounds a run as it does one
	// datagram; IPv6 would allow 20 bytes more, not worth a second limit.
	gsoMaxBytes = 65535 - 20 - 8
)

// gsoState is whether a socket sends with GSO. It starts as the probe at
// open found and turns off for good when the kernel refuses a GSO send.
type gsoState struct{ on atomic.Bool }

// probeGSO reports whether the kernel knows the UDP_SEGMENT option for c.
// Reading it is harmless: sends choose per message with a control message.
func probeGSO(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	_ = rc.Control(func(fd uintptr) { // fails only on a closed socket: ok stays false
		_, err := unix.GetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_SEGMENT)
		ok = err == nil
	})
	return ok
}

// runLen returns the length of the run at the start of ds that one GSO
// message can carry. A run has consecutive datagrams to the same
// destination, all as long as the first except the last, which may be
// shorter; none is empty (a zero segment size means no GSO); at most
// gsoMaxSegments, gsoMaxBytes and maxPieces in all. A datagram that
// starts no longer run is a run of one.
func runLen(ds []Datagram) int {
	seg := ds[0].Len()
	n, bytes, pieces := 1, seg, 1+len(ds[0].Rest)
	if seg == 0 {
		return n
	}
	for n < len(ds) && n < gsoMaxSegments {
		d := &ds[n]
		size := d.Len()
		if d.Remote != ds[0].Remote || size == 0 || size > seg || bytes+size > gsoMaxBytes || pieces+1+len(d.Rest) > maxPieces {
			break
		}
		n, bytes, pieces = n+1, bytes+size, pieces+1+len(d.Rest)
		if size < seg {
			break // a shorter datagram ends its run
		}
	}
	return n
}

// writeGSO sends ds, each run of two or more datagrams (see runLen) in one
// message. It stops early, without error, if GSO gets turned off on the
// way, and returns the number sent.
func (m *mmsgIO) writeGSO(ws *writeScratch, ds []Datagram) (int, error) {
	sent := 0
	for sent < len(ds) && m.gso.on.Load() {
		n, err := m.bc.WriteBatch(ws.fillRuns(ds[sent:]), 0)
		if err == nil && n <= 0 {
			err = io.ErrNoProgress // never seen from the kernel; guards against spinning
		}
		if err != nil {
			// sendmmsg fails only when its first message does.
			k, err := m.resendRun(ws, ds[sent:sent+ws.gso.runs[0]], err)
			if sent += k; err != nil {
				return sent, err
			}
			continue
		}
		sent += m.countRuns(ws.gso.runs[:n])
	}
	return sent, nil
}

// resendRun handles the failure of run's message. A lone datagram failed
// by itself; a GSO run goes again one datagram per message, which tells
// which datagram, if any, the kernel really refuses. EIO and EINVAL say
// that this socket or its path cannot segment (no checksum offload, IPsec,
// a segment longer than the path MTU...): GSO goes off for good.
func (m *mmsgIO) resendRun(ws *writeScratch, run []Datagram, err error) (int, error) {
	if len(run) == 1 {
		return 0, err
	}
	if errors.Is(err, unix.EIO) || errors.Is(err, unix.EINVAL) {
		if m.gso.on.Swap(false) {
			m.log.Warnf("UDP GSO refused (%v); sending without it from now on", err)
		}
	}
	return m.writePlain(ws, run)
}

// countRuns counts the runs sent and returns their datagrams.
func (m *mmsgIO) countRuns(runs []int) int {
	total, sends, segments := 0, 0, 0
	for _, n := range runs {
		total += n
		if n > 1 {
			sends, segments = sends+1, segments+n
		}
	}
	if sends > 0 {
		m.stats.gsoSends.Add(uint64(sends))
		m.stats.gsoSegments.Add(uint64(segments))
	}
	return total
}

// gsoScratch is the per-call state of GSO sends.
type gsoScratch struct {
	oob  [][]byte // per message, a UDP_SEGMENT control message
	runs []int    // per message of the latest fillRuns, its datagrams
}

func newGSOScratch(size int) gsoScratch {
	g := gsoScratch{oob: make([][]byte, size), runs: make([]int, 0, size)}
	space := unix.CmsgSpace(2)
	block := make([]byte, size*space) // 8-byte aligned, as cmsghdrs must be
	for i := range g.oob {
		g.oob[i] = block[i*space : (i+1)*space : (i+1)*space]
		putCmsgHeader(g.oob[i], unix.SOL_UDP, unix.UDP_SEGMENT, 2)
	}
	return g
}

// putCmsgHeader writes a control message header for dataLen bytes of data
// at the start of b, which must be aligned like a unix.Cmsghdr.
func putCmsgHeader(b []byte, level, typ int32, dataLen int) {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(dataLen))
}

// fillRuns points ws's messages at the runs that start ds, one message
// each, as many as there are messages: a lone datagram as it is, a longer
// run under a UDP_SEGMENT control message. A message gathers the pieces
// of its datagrams (the kernel concatenates them and cuts the whole into
// segments), as one piece where they lie back to back in memory. It
// records the datagrams of each message in ws.gso.runs.
func (ws *writeScratch) fillRuns(ds []Datagram) []ipv4.Message {
	g := &ws.gso
	g.runs = g.runs[:0]
	ws.bufs = ws.bufs[:0]
	for i := 0; len(ds) > 0 && i < len(ws.msgs); i++ {
		n := runLen(ds)
		g.runs = append(g.runs, n)
		msg := &ws.msgs[i]
		setUDPAddr(&ws.addrs[i], ds[0].Remote)
		msg.Buffers, msg.OOB = ws.gather(ds[:n]), nil
		if n > 1 {
			msg.OOB = g.segmentSize(i, ds[0].Len())
		}
		ds = ds[n:]
	}
	return ws.msgs[:len(g.runs)]
}

// segmentSize sets the segment size in the i-th control message and
// returns it.
func (g *gsoScratch) segmentSize(i, size int) []byte {
	binary.NativeEndian.PutUint16(g.oob[i][unix.CmsgLen(0):], uint16(size))
	return g.oob[i]
}
