package wire

// Zero Checksum Acceptable parameter of INIT and INIT ACK (RFC 9653
// section 4):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x8001         |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Error Detection Method Identifier (EDMID)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// EDMID identifies the alternate error detection method that makes a zero
// checksum acceptable; IANA keeps the registry of values.
type EDMID uint32

// EDMIDSCTPOverDTLS is the method of SCTP over DTLS, whose record
// integrity check makes the CRC32c redundant.
const EDMIDSCTPOverDTLS EDMID = 1

// ZeroChecksumAcceptableParam tells the peer that packets sent to the sender
// may carry a zero checksum, because Method detects errors instead.
type ZeroChecksumAcceptableParam struct{ Method EDMID }

// ParamType implements ParamValue.
func (*ZeroChecksumAcceptableParam) ParamType() ParamType { return ParamZeroChecksumAcceptable }

// AppendValue implements ParamValue.
func (z *ZeroChecksumAcceptableParam) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(z.Method))
}

// Decode fills z from p.
func (z *ZeroChecksumAcceptableParam) Decode(p Param) error {
	m, err := decodeUint32Param(p, ParamZeroChecksumAcceptable)
	z.Method = EDMID(m)
	return err
}
