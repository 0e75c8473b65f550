package pcapng

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Writer writes UDP datagrams as raw IP packets to a pcapng stream. It is
// safe for concurrent use; packets appear in the order their WriteUDP calls
// took the writer's lock.
type Writer struct {
	mu     sync.Mutex
	ng     *pcapgo.NgWriter
	file   io.Closer // set when the Writer owns the destination (Create)
	pkt    []byte    // scratch for the synthesized packet, reused under mu
	closed bool
}

// Create creates (or truncates) the file at path and returns a Writer that
// owns it: Close flushes and closes the file.
func Create(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f)
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	w.file = f
	return w, nil
}

// NewWriter writes the pcapng section and interface headers to w and
// returns a Writer that appends packets to it. Output is buffered; Close
// flushes it but does not close w.
func NewWriter(w io.Writer) (*Writer, error) {
	ng, err := pcapgo.NewNgWriter(w, layers.LinkTypeRaw)
	if err != nil {
		return nil, err
	}
	return &Writer{ng: ng}, nil
}

// WriteUDP records a UDP datagram carrying payload from src to dst, seen at
// ts. Both endpoints must be of one address family (IPv4-mapped IPv6
// addresses count as IPv4) and the payload must fit in one IP packet.
func (w *Writer) WriteUDP(ts time.Time, src, dst netip.AddrPort, payload []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return os.ErrClosed
	}
	pkt, err := appendPacket(w.pkt[:0], src, dst, payload)
	if err != nil {
		return err
	}
	w.pkt = pkt
	ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(pkt), Length: len(pkt)}
	return w.ng.WritePacket(ci, pkt)
}

// Close flushes buffered packets and, for a Writer made by Create, closes
// the file. Later writes fail with os.ErrClosed; Close itself may be called
// more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.ng.Flush()
	if w.file != nil {
		err = errors.Join(err, w.file.Close())
	}
	return err
}
