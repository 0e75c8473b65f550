package wire

// ASCONF chunk (RFC 5061 section 4.1.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0xC1  |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Sequence Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Address Parameter                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      ASCONF Parameter #1                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                              ...                              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      ASCONF Parameter #N                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// ASCONF-ACK chunk (RFC 5061 section 4.1.2):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x80  |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Sequence Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 ASCONF Response Parameter #1                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                              ...                              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 ASCONF Response Parameter #N                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Both must be sent authenticated, behind an AUTH chunk (RFC 5061 sections
// 4.1.1 and 4.1.2); see [Packet.AuthCovers].

import (
	"encoding/binary"
	"net/netip"
)

// asconfHeaderLen is the size of the chunk header and sequence number.
const asconfHeaderLen = ChunkHeaderLen + 4

// Asconf is an ASCONF chunk. Address is the mandatory Address Parameter,
// an address of the sender that lets the receiver find the association.
// Params are the requests, in the order they must be processed; build them
// with [AppendParam] and [AddressRequestParam]. Params aliases the decoded
// chunk; unknown parameter types are left in it for the caller to handle
// by their action bits.
type Asconf struct {
	Serial  uint32
	Address netip.Addr
	Params  Params
}

// ChunkType implements ChunkValue.
func (*Asconf) ChunkType() ChunkType { return TypeAsconf }

// Len implements ChunkValue.
func (a *Asconf) Len() int {
	return padLen(asconfHeaderLen + addressTLVLen(a.Address) + len(a.Params))
}

// Append implements ChunkValue.
func (a *Asconf) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeAsconf, 0)
	b = binary.BigEndian.AppendUint32(b, a.Serial)
	b = appendAddressTLV(b, a.Address)
	b = append(b, a.Params...)
	return endChunk(b, start)
}

// Decode implements ChunkValue. It decodes the Address Parameter and checks
// the structure of the parameter list after it.
func (a *Asconf) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeAsconf, asconfHeaderLen+tlvHeaderLen); err != nil {
		return err
	}
	ap, err := ParseParam(c[asconfHeaderLen:])
	if err != nil {
		return Rebase(err, asconfHeaderLen)
	}
	addr, err := DecodeAddress(ap)
	if err != nil {
		return Rebase(err, asconfHeaderLen)
	}
	at := asconfHeaderLen + len(ap) // 8 or 20 bytes: no padding follows
	ps, err := parseParamList(c[at:], at)
	if err != nil {
		return err
	}
	*a = Asconf{Serial: binary.BigEndian.Uint32(c[4:]), Address: addr, Params: ps}
	return nil
}

// AsconfAck is an ASCONF-ACK chunk. Params holds the Success and Error
// Cause Indications, aliasing the decoded chunk; it may be empty, since an
// ASCONF-ACK carries zero or more results (RFC 5061 section 4.1.2).
type AsconfAck struct {
	Serial uint32
	Params Params
}

// ChunkType implements ChunkValue.
func (*AsconfAck) ChunkType() ChunkType { return TypeAsconfAck }

// Len implements ChunkValue.
func (a *AsconfAck) Len() int { return padLen(asconfHeaderLen + len(a.Params)) }

// Append implements ChunkValue.
func (a *AsconfAck) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeAsconfAck, 0)
	b = binary.BigEndian.AppendUint32(b, a.Serial)
	b = append(b, a.Params...)
	return endChunk(b, start)
}

// Decode implements ChunkValue. It checks the structure of the parameter
// list.
func (a *AsconfAck) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeAsconfAck, asconfHeaderLen); err != nil {
		return err
	}
	ps, err := parseParamList(c[asconfHeaderLen:], asconfHeaderLen)
	if err != nil {
		return err
	}
	*a = AsconfAck{Serial: binary.BigEndian.Uint32(c[4:]), Params: ps}
	return nil
}
