package wire

// RFC 4895 parameters, carried in INIT and INIT ACK (section 3):
//
// Random Parameter (RANDOM):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8002    |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                         Random Number                         /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Chunk List Parameter (CHUNKS):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8003    |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type 1  | Chunk Type 2  | Chunk Type 3  | Chunk Type 4  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                              ...                              /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Chunk Type n  |                    Padding                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Requested HMAC Algorithm Parameter (HMAC-ALGO):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8004    |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       HMAC Identifier 1       |       HMAC Identifier 2       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                              ...                              /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       HMAC Identifier n       |            Padding            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// and its error cause, Unsupported HMAC Identifier (section 4.1):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code = 0x0105       |       Cause Length = 6        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        HMAC Identifier        |            Padding            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// RandomParam is the RANDOM parameter. Number aliases the decoded parameter;
// its length is checked by the key derivation, not here.
type RandomParam struct{ Number []byte }

// ParamType implements ParamValue.
func (*RandomParam) ParamType() ParamType { return ParamRandom }

// AppendValue implements ParamValue.
func (r *RandomParam) AppendValue(b []byte) []byte { return append(b, r.Number...) }

// Decode fills r from p.
func (r *RandomParam) Decode(p Param) (err error) {
	r.Number, err = opaqueParam(p, ParamRandom)
	return err
}

// ChunkListParam is the CHUNKS parameter: the chunk types the sender wants to
// receive authenticated. Decode reuses the capacity of Types.
type ChunkListParam struct{ Types []ChunkType }

// ParamType implements ParamValue.
func (*ChunkListParam) ParamType() ParamType { return ParamChunks }

// AppendValue implements ParamValue.
func (l *ChunkListParam) AppendValue(b []byte) []byte { return appendChunkTypes(b, l.Types) }

// Decode fills l from p.
func (l *ChunkListParam) Decode(p Param) error {
	if err := expectParam(p, ParamChunks, 0); err != nil {
		return err
	}
	l.Types = decodeChunkTypes(l.Types, p.Value())
	return nil
}

// HMACAlgoParam is the HMAC-ALGO parameter: the HMAC identifiers the sender
// accepts, most preferred first. Decode reuses the capacity of IDs.
type HMACAlgoParam struct{ IDs []HMACID }

// ParamType implements ParamValue.
func (*HMACAlgoParam) ParamType() ParamType { return ParamHMACAlgo }

// AppendValue implements ParamValue.
func (h *HMACAlgoParam) AppendValue(b []byte) []byte { return appendUint16s(b, h.IDs) }

// Decode fills h from p.
func (h *HMACAlgoParam) Decode(p Param) (err error) {
	if err := expectParam(p, ParamHMACAlgo, 0); err != nil {
		return err
	}
	h.IDs, err = decodeUint16s(h.IDs, p, tlvHeaderLen)
	return err
}

// UnsupportedHMACCause is the Unsupported HMAC Identifier error cause.
type UnsupportedHMACCause struct{ ID HMACID }

// CauseCode implements CauseValue.
func (*UnsupportedHMACCause) CauseCode() CauseCode { return CauseUnsupportedHMACIdentifier }

// AppendValue implements CauseValue. The cause length is 6: the two bytes
// of padding after the identifier are not counted.
func (u *UnsupportedHMACCause) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint16(b, uint16(u.ID))
}

// Decode fills u from c. A cause length of 8, counting the padding, is
// accepted too.
func (u *UnsupportedHMACCause) Decode(c Cause) error {
	if err := expectCause(c, CauseUnsupportedHMACIdentifier, 2); err != nil {
		return err
	}
	if n := len(c.Value()); n != 2 && n != 4 {
		return errAt(CauseUnsupportedHMACIdentifier.String()+" length", 2, fmt.Sprintf("%d, want 6", c.Len()))
	}
	u.ID = HMACID(binary.BigEndian.Uint16(c[tlvHeaderLen:]))
	return nil
}
