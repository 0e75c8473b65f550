package wire

// I-DATA chunk (RFC 8260 section 2.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 64   |  Res  |I|U|B|E|       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              TSN                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |           Reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Message Identifier                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Payload Protocol Identifier / Fragment Sequence Number     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                           User Data                           /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// I-FORWARD-TSN chunk (RFC 8260 section 2.3.1):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 194  | Flags = 0x00  |       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      New Cumulative TSN                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |          Reserved           |U|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Message Identifier                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                              ...                              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// IDataHeaderLen is the size of an I-DATA chunk without user data.
const IDataHeaderLen = 20

// IData is an I-DATA chunk. Its last header field is the PPID on the first
// fragment of a message (FlagBegin set) and the fragment sequence number
// on the others, whose first fragment has FSN 0 implicitly. Append writes
// PPID or FSN accordingly and ignores the other field; Decode sets one and
// zeroes the other, so a decoded value re-encodes to the same bytes.
// Payload aliases the decoded chunk.
type IData struct {
	Flags   DataFlags
	TSN     uint32
	Stream  uint16
	MID     uint32
	PPID    uint32 // with FlagBegin
	FSN     uint32 // without FlagBegin
	Payload []byte
}

// ChunkType implements ChunkValue.
func (*IData) ChunkType() ChunkType { return TypeIData }

// Len implements ChunkValue.
func (d *IData) Len() int { return padLen(IDataHeaderLen + len(d.Payload)) }

// Append implements ChunkValue.
func (d *IData) Append(b []byte) []byte {
	b = d.AppendHeader(b)
	b = append(b, d.Payload...)
	return appendZeros(b, Padding(len(d.Payload)))
}

// AppendHeader appends the chunk up to its user data, as Data.AppendHeader
// does.
func (d *IData) AppendHeader(b []byte) []byte {
	b = appendChunkHeader(b, TypeIData, uint8(d.Flags), IDataHeaderLen+len(d.Payload))
	b = binary.BigEndian.AppendUint32(b, d.TSN)
	b = binary.BigEndian.AppendUint16(b, d.Stream)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint32(b, d.MID)
	if d.Flags.Has(FlagBegin) {
		return binary.BigEndian.AppendUint32(b, d.PPID)
	}
	return binary.BigEndian.AppendUint32(b, d.FSN)
}

// Decode implements ChunkValue. As for DATA, an empty payload decodes.
func (d *IData) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeIData, IDataHeaderLen); err != nil {
		return err
	}
	*d = IData{
		Flags:   DataFlags(c[1]),
		TSN:     binary.BigEndian.Uint32(c[4:]),
		Stream:  binary.BigEndian.Uint16(c[8:]),
		MID:     binary.BigEndian.Uint32(c[12:]),
		Payload: c[IDataHeaderLen:],
	}
	if last := binary.BigEndian.Uint32(c[16:]); d.Flags.Has(FlagBegin) {
		d.PPID = last
	} else {
		d.FSN = last
	}
	return nil
}

// StreamMID names the last skipped message of a stream in an
// I-FORWARD-TSN; ordered and unordered messages of a stream are numbered
// apart, so the U flag says which.
type StreamMID struct {
	Stream    uint16
	Unordered bool
	MID       uint32
}

// IForwardTSN is an I-FORWARD-TSN chunk. Decode reuses the capacity of
// Streams.
type IForwardTSN struct {
	NewCumTSN uint32
	Streams   []StreamMID
}

const (
	iForwardEntryLen = 8
	iForwardU        = 0x0001 // U flag in the 16 bits after the stream
)

// ChunkType implements ChunkValue.
func (*IForwardTSN) ChunkType() ChunkType { return TypeIForwardTSN }

// Len implements ChunkValue.
func (f *IForwardTSN) Len() int { return forwardTSNHeaderLen + iForwardEntryLen*len(f.Streams) }

// Append implements ChunkValue.
func (f *IForwardTSN) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeIForwardTSN, 0)
	b = binary.BigEndian.AppendUint32(b, f.NewCumTSN)
	for _, s := range f.Streams {
		var flags uint16
		if s.Unordered {
			flags = iForwardU
		}
		b = binary.BigEndian.AppendUint16(b, s.Stream)
		b = binary.BigEndian.AppendUint16(b, flags)
		b = binary.BigEndian.AppendUint32(b, s.MID)
	}
	return endChunk(b, start)
}

// Decode implements ChunkValue. Reserved bits are ignored.
func (f *IForwardTSN) Decode(c Chunk) error {
	if err := decodeForwardTSN(c, TypeIForwardTSN, iForwardEntryLen); err != nil {
		return err
	}
	f.NewCumTSN = binary.BigEndian.Uint32(c[4:])
	f.Streams = f.Streams[:0]
	for off := forwardTSNHeaderLen; off < len(c); off += iForwardEntryLen {
		f.Streams = append(f.Streams, StreamMID{
			Stream:    binary.BigEndian.Uint16(c[off:]),
			Unordered: binary.BigEndian.Uint16(c[off+2:])&iForwardU != 0,
			MID:       binary.BigEndian.Uint32(c[off+4:]),
		})
	}
	return nil
}
