package wire

// DATA chunk (RFC 9260 section 3.3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 0    |  Res  |I|U|B|E|            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                              TSN                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      Stream Identifier S      |   Stream Sequence Number n    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Payload Protocol Identifier                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                 User Data (seq n of Stream S)                 /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// DataHeaderLen is the size of a DATA chunk without user data.
const DataHeaderLen = 16

// DataFlags are the flags of DATA and I-DATA chunks.
type DataFlags uint8

// DATA and I-DATA chunk flags.
const (
	FlagEnd       DataFlags = 0x01 // E: last fragment
	FlagBegin     DataFlags = 0x02 // B: first fragment
	FlagUnordered DataFlags = 0x04 // U: unordered
	FlagImmediate DataFlags = 0x08 // I: SACK immediately (RFC 7053)
)

// Has reports whether all bits of x are set.
func (f DataFlags) Has(x DataFlags) bool { return f&x == x }

// Data is a DATA chunk. Payload aliases the decoded chunk.
type Data struct {
	Flags   DataFlags
	TSN     uint32
	Stream  uint16
	SSN     uint16
	PPID    uint32
	Payload []byte
}

// ChunkType implements ChunkValue.
func (*Data) ChunkType() ChunkType { return TypeData }

// Len implements ChunkValue.
func (d *Data) Len() int { return padLen(DataHeaderLen + len(d.Payload)) }

// Append implements ChunkValue.
func (d *Data) Append(b []byte) []byte {
	b = d.AppendHeader(b)
	b = append(b, d.Payload...)
	return appendZeros(b, Padding(len(d.Payload)))
}

// AppendHeader appends the chunk up to its user data, its Length counting
// Payload, for a sender that sends the payload from where it lies: on the
// wire the payload follows, then Padding(len(Payload)) zero bytes.
func (d *Data) AppendHeader(b []byte) []byte {
	b = appendChunkHeader(b, TypeData, uint8(d.Flags), DataHeaderLen+len(d.Payload))
	b = binary.BigEndian.AppendUint32(b, d.TSN)
	b = binary.BigEndian.AppendUint16(b, d.Stream)
	b = binary.BigEndian.AppendUint16(b, d.SSN)
	return binary.BigEndian.AppendUint32(b, d.PPID)
}

// Decode implements ChunkValue. A DATA chunk without user data decodes;
// rejecting it with a No User Data cause is the receiver's business.
func (d *Data) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeData, DataHeaderLen); err != nil {
		return err
	}
	*d = Data{
		Flags:   DataFlags(c[1]),
		TSN:     binary.BigEndian.Uint32(c[4:]),
		Stream:  binary.BigEndian.Uint16(c[8:]),
		SSN:     binary.BigEndian.Uint16(c[10:]),
		PPID:    binary.BigEndian.Uint32(c[12:]),
		Payload: c[DataHeaderLen:],
	}
	return nil
}
