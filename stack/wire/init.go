package wire

// INIT and INIT ACK chunks (RFC 9260 sections 3.3.2 and 3.3.3) share one
// layout; only the type differs:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 1/2   |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Initiate Tag                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Advertised Receiver Window Credit (a_rwnd)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Number of Outbound Streams   |   Number of Inbound Streams   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Initial TSN                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/              Optional/Variable-Length Parameters              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// initHeaderLen is the size of an INIT or INIT ACK chunk without
// parameters.
const initHeaderLen = 20

// Init is an INIT chunk. Params aliases the decoded chunk; build it with
// [AppendParam].
//
// Decode checks structure only. A zero Initiate Tag or stream count, or an
// INIT ACK without a State Cookie, calls for different reactions (silent
// discard, ABORT) that belong to the association, not to the codec.
type Init struct {
	InitiateTag uint32
	ARwnd       uint32
	OutStreams  uint16 // number of outbound streams (OS)
	InStreams   uint16 // maximum number of inbound streams (MIS)
	InitialTSN  uint32
	Params      Params
}

// InitAck is an INIT ACK chunk. It has the fields of [Init], so a value
// converts freely between the two: InitAck(init).
type InitAck Init

// ChunkType implements ChunkValue.
func (*Init) ChunkType() ChunkType { return TypeInit }

// Len implements ChunkValue.
func (i *Init) Len() int { return padLen(initHeaderLen + len(i.Params)) }

// Append implements ChunkValue.
func (i *Init) Append(b []byte) []byte { return i.appendAs(b, TypeInit) }

// Decode implements ChunkValue. The parameter list is validated, so
// iterating over it cannot fail; padding after the last parameter, which
// some peers count in the chunk length, is left out of Params.
func (i *Init) Decode(c Chunk) error { return i.decodeAs(c, TypeInit) }

// ChunkType implements ChunkValue.
func (*InitAck) ChunkType() ChunkType { return TypeInitAck }

// Len implements ChunkValue.
func (a *InitAck) Len() int { return (*Init)(a).Len() }

// Append implements ChunkValue.
func (a *InitAck) Append(b []byte) []byte { return (*Init)(a).appendAs(b, TypeInitAck) }

// Decode implements ChunkValue, as [Init.Decode] does.
func (a *InitAck) Decode(c Chunk) error { return (*Init)(a).decodeAs(c, TypeInitAck) }

func (i *Init) appendAs(b []byte, t ChunkType) []byte {
	b, start := beginChunk(b, t, 0)
	b = binary.BigEndian.AppendUint32(b, i.InitiateTag)
	b = binary.BigEndian.AppendUint32(b, i.ARwnd)
	b = binary.BigEndian.AppendUint16(b, i.OutStreams)
	b = binary.BigEndian.AppendUint16(b, i.InStreams)
	b = binary.BigEndian.AppendUint32(b, i.InitialTSN)
	b = append(b, i.Params...)
	return endChunk(b, start)
}

func (i *Init) decodeAs(c Chunk, t ChunkType) error {
	if err := decodeFixed(c, t, initHeaderLen); err != nil {
		return err
	}
	ps, err := parseParamList(c[initHeaderLen:], initHeaderLen)
	if err != nil {
		return err
	}
	*i = Init{
		InitiateTag: binary.BigEndian.Uint32(c[4:]),
		ARwnd:       binary.BigEndian.Uint32(c[8:]),
		OutStreams:  binary.BigEndian.Uint16(c[12:]),
		InStreams:   binary.BigEndian.Uint16(c[14:]),
		InitialTSN:  binary.BigEndian.Uint32(c[16:]),
		Params:      ps,
	}
	return nil
}
