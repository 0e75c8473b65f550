package wire

// SACK chunk (RFC 9260 section 3.3.4):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 3    |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Cumulative TSN Ack                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Advertised Receiver Window Credit (a_rwnd)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Gap Ack Block #1 Start     |     Gap Ack Block #1 End      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Gap Ack Block #N Start     |     Gap Ack Block #N End      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Duplicate TSN 1                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                                                               /
//	\                              ...                              \
//	/                                                               /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Duplicate TSN M                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

const sackHeaderLen = 16

// GapBlock is a gap ack block: TSNs CumTSN+Start through CumTSN+End were
// received.
type GapBlock struct {
	Start, End uint16
}

// Sack is a SACK chunk. Decode reuses the capacity of Gaps and Dups, so a
// Sack kept across packets decodes without allocating.
type Sack struct {
	CumTSN uint32
	ARwnd  uint32
	Gaps   []GapBlock
	Dups   []uint32
}

// ChunkType implements ChunkValue.
func (*Sack) ChunkType() ChunkType { return TypeSack }

// Len implements ChunkValue.
func (s *Sack) Len() int { return sackHeaderLen + 4*len(s.Gaps) + 4*len(s.Dups) }

// Append implements ChunkValue.
func (s *Sack) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeSack, 0)
	b = binary.BigEndian.AppendUint32(b, s.CumTSN)
	b = binary.BigEndian.AppendUint32(b, s.ARwnd)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Gaps)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Dups)))
	for _, g := range s.Gaps {
		b = binary.BigEndian.AppendUint16(b, g.Start)
		b = binary.BigEndian.AppendUint16(b, g.End)
	}
	for _, d := range s.Dups {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return endChunk(b, start)
}

// Decode implements ChunkValue. The chunk length must match the gap block
// and duplicate TSN counts exactly.
func (s *Sack) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeSack, sackHeaderLen); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint16(c[12:]))
	m := int(binary.BigEndian.Uint16(c[14:]))
	if want := sackHeaderLen + 4*n + 4*m; want != len(c) {
		return errAt("SACK chunk length", 2, fmt.Sprintf("%d, but %d gap blocks and %d duplicate TSNs need %d", len(c), n, m, want))
	}
	s.CumTSN = binary.BigEndian.Uint32(c[4:])
	s.ARwnd = binary.BigEndian.Uint32(c[8:])
	s.Gaps = s.Gaps[:0]
	s.Dups = s.Dups[:0]
	off := sackHeaderLen
	for range n {
		s.Gaps = append(s.Gaps, GapBlock{binary.BigEndian.Uint16(c[off:]), binary.BigEndian.Uint16(c[off+2:])})
		off += 4
	}
	for range m {
		s.Dups = append(s.Dups, binary.BigEndian.Uint32(c[off:]))
		off += 4
	}
	return nil
}
