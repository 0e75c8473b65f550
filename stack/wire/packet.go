package wire

// SCTP common header (RFC 9260 section 3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Source Port Number        |     Destination Port Number   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Verification Tag                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Checksum                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// CommonHeaderLen is the size of the SCTP common header.
const CommonHeaderLen = 12

// Packet is a view of an SCTP packet: the common header followed by chunks.
type Packet []byte

// ParsePacket checks that b holds a common header and returns it as a
// Packet. It does not verify the checksum; see [Packet.VerifyChecksum].
func ParsePacket(b []byte) (Packet, error) {
	if len(b) < CommonHeaderLen {
		return nil, errShort("common header", 0, CommonHeaderLen, len(b))
	}
	return Packet(b), nil
}

// SrcPort returns the source port.
func (p Packet) SrcPort() uint16 { return binary.BigEndian.Uint16(p[0:]) }

// DstPort returns the destination port.
func (p Packet) DstPort() uint16 { return binary.BigEndian.Uint16(p[2:]) }

// VerificationTag returns the verification tag.
func (p Packet) VerificationTag() uint32 { return binary.BigEndian.Uint32(p[4:]) }

// Checksum returns the checksum field as stored (see [Packet.VerifyChecksum]).
func (p Packet) Checksum() uint32 { return binary.LittleEndian.Uint32(p[8:]) }

// Chunks returns an iterator over the packet's chunks.
func (p Packet) Chunks() ChunkIter {
	return ChunkIter{buf: p, off: CommonHeaderLen}
}

// Header holds the fields of a common header for writing.
type Header struct {
	SrcPort, DstPort uint16
	VerificationTag  uint32
}

// Append appends the common header with a zero checksum; call SetChecksum
// on the finished packet.
func (h Header) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, h.SrcPort)
	b = binary.BigEndian.AppendUint16(b, h.DstPort)
	b = binary.BigEndian.AppendUint32(b, h.VerificationTag)
	return append(b, 0, 0, 0, 0)
}

// ChunkIter walks the chunks of a packet. The zero value is an empty
// iterator.
//
//	it := pkt.Chunks()
//	for c, ok := it.Next(); ok; c, ok = it.Next() { ... }
//	if err := it.Err(); err != nil { ... }
type ChunkIter struct {
	buf []byte
	off int // offset of the next chunk in buf
	cur int // offset of the chunk last returned
	err error
}

// Next returns the next chunk. It returns false at the end of the packet or
// on malformed input; Err tells which.
func (it *ChunkIter) Next() (Chunk, bool) {
	if it.err != nil || it.off >= len(it.buf) {
		return nil, false
	}
	rest := it.buf[it.off:]
	c, err := parseChunk(rest)
	if err != nil {
		it.err = Rebase(err, it.off)
		return nil, false
	}
	it.cur = it.off
	it.off += padLen(len(c))
	if it.off > len(it.buf) {
		// The last chunk may arrive without its padding.
		it.off = len(it.buf)
	}
	return c, true
}

// Offset returns the offset in the packet of the chunk last returned by
// Next, for rebasing chunk-level errors with [Rebase].
func (it *ChunkIter) Offset() int { return it.cur }

// Err returns the error that stopped the iteration, if any.
func (it *ChunkIter) Err() error { return it.err }

// Rest returns the bytes from the chunk after the one last returned, for
// callers that stop early and need to know what they skipped.
func (it *ChunkIter) Rest() []byte { return it.buf[it.off:] }
