package wire

// FORWARD-TSN chunk (RFC 3758 section 3.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 192  |  Flags = 0x00 |       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      New Cumulative TSN                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Stream-1            |      Stream Sequence-1        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               /
//	/                              ...                              \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Stream-N            |      Stream Sequence-N        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Forward-TSN-Supported parameter of INIT and INIT ACK (section 3.1):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 49152     |      Parameter Length = 4     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// forwardTSNHeaderLen is the size of the chunk header and new cumulative
// TSN, shared by FORWARD-TSN and I-FORWARD-TSN.
const forwardTSNHeaderLen = ChunkHeaderLen + 4

// StreamSSN names the last skipped message of an ordered stream in a
// FORWARD-TSN.
type StreamSSN struct {
	Stream uint16
	SSN    uint16
}

// ForwardTSN is a FORWARD-TSN chunk. Decode reuses the capacity of Streams.
type ForwardTSN struct {
	NewCumTSN uint32
	Streams   []StreamSSN
}

// ChunkType implements ChunkValue.
func (*ForwardTSN) ChunkType() ChunkType { return TypeForwardTSN }

// Len implements ChunkValue.
func (f *ForwardTSN) Len() int { return forwardTSNHeaderLen + 4*len(f.Streams) }

// Append implements ChunkValue.
func (f *ForwardTSN) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeForwardTSN, 0)
	b = binary.BigEndian.AppendUint32(b, f.NewCumTSN)
	for _, s := range f.Streams {
		b = binary.BigEndian.AppendUint16(b, s.Stream)
		b = binary.BigEndian.AppendUint16(b, s.SSN)
	}
	return endChunk(b, start)
}

// Decode implements ChunkValue.
func (f *ForwardTSN) Decode(c Chunk) error {
	if err := decodeForwardTSN(c, TypeForwardTSN, 4); err != nil {
		return err
	}
	f.NewCumTSN = binary.BigEndian.Uint32(c[4:])
	f.Streams = f.Streams[:0]
	for off := forwardTSNHeaderLen; off < len(c); off += 4 {
		f.Streams = append(f.Streams, StreamSSN{binary.BigEndian.Uint16(c[off:]), binary.BigEndian.Uint16(c[off+2:])})
	}
	return nil
}

// decodeForwardTSN checks a FORWARD-TSN or I-FORWARD-TSN chunk whose
// entries are size bytes each: they must fill the chunk exactly.
func decodeForwardTSN(c Chunk, t ChunkType, size int) error {
	if err := decodeFixed(c, t, forwardTSNHeaderLen); err != nil {
		return err
	}
	if rest := (len(c) - forwardTSNHeaderLen) % size; rest != 0 {
		return errAt(t.String()+" chunk length", 2, fmt.Sprintf("%d leaves %d bytes after the last %d-byte entry", len(c), rest, size))
	}
	return nil
}

// ForwardTSNSupportedParam is the empty Forward-TSN-Supported parameter.
type ForwardTSNSupportedParam struct{}

// ParamType implements ParamValue.
func (*ForwardTSNSupportedParam) ParamType() ParamType { return ParamForwardTSNSupported }

// AppendValue implements ParamValue.
func (*ForwardTSNSupportedParam) AppendValue(b []byte) []byte { return b }

// Decode checks that p is an empty Forward-TSN-Supported parameter.
func (*ForwardTSNSupportedParam) Decode(p Param) error {
	return expectParamExact(p, ParamForwardTSNSupported, 0)
}
