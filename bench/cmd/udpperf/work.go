package main

import (
	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/crc32c"
)

// The per-byte work that every SCTP stack over UDP does on top of moving
// datagrams, whatever its design: the sender keeps each message until it
// is acknowledged, so it copies the message out of the application's
// buffer, and it computes the packet's CRC32c (RFC 9260 section 6.8) with
// the stack's own code, internal/crc32c, in the same pass as the copy
// (CopyUpdate); the receiver checks the CRC32c. The reader reads the
// message where it lies, as mobisctp's RecvMsgFunc lets it, so there is
// no copy out. With -sctp-work udpperf does exactly that and nothing
// else, so its rate is the ceiling of a checksumming, retransmitting
// transport on this machine, tighter than raw UDP's and still free of
// any protocol logic.

// sendRingSize is the retransmission store of the sender: as large as the
// window mobisctp keeps in flight by default, so the copies miss the
// cache as a real sender's do.
const sendRingSize = 4 << 20

// sendRing keeps copies of what was sent, as a retransmission queue does,
// overwriting the oldest: nothing is ever retransmitted here.
type sendRing struct {
	buf []byte
	off int
	sum uint32 // the checksums, folded, so that computing them is not optimised away
}

func newSendRing() *sendRing { return &sendRing{buf: make([]byte, sendRingSize)} }

// fill points each of ds at a fresh copy of msg in the ring and checksums
// it. Consecutive copies lie back to back, so a GSO run is sent in place,
// as mobisctp lays out its packets.
func (r *sendRing) fill(ds []encap.Datagram, msg []byte) {
	for i := range ds {
		if r.off+len(msg) > len(r.buf) {
			r.off = 0
		}
		b := r.buf[r.off : r.off+len(msg)]
		r.sum ^= crc32c.CopyUpdate(0, b, msg)
		r.off += len(msg)
		ds[i].Data = b
	}
}

// reader is the receiving side's work: it checksums each datagram.
type reader struct {
	sum uint32
}

func newReader() *reader { return new(reader) }

func (r *reader) consume(d encap.Datagram) {
	r.sum ^= crc32c.Checksum(d.Data)
}
