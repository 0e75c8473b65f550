package wire

// RFC 5061 parameters (section 4.2). Add IP Address (0xC001), Delete IP
// Address (0xC002) and Set Primary Address (0xC004) share one layout:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0xC001/0xC002/0xC004  |       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 ASCONF-Request Correlation ID                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Address Parameter                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Error Cause Indication (0xC003), Success Indication (0xC005, without
// the causes) and Adaptation Layer Indication (0xC006, the code point in
// place of the correlation ID, length 8):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0xC003         |       Length = Variable       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                ASCONF-Response Correlation ID                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                        Error Cause(s)                         /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Supported Extensions (0x8008):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8008    |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| CHUNK TYPE 1  | CHUNK TYPE 2  | CHUNK TYPE 3  | CHUNK TYPE 4  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                              ...                              /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| CHUNK TYPE N  |      PAD      |      PAD      |      PAD      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"net/netip"
)

// correlationLen is the size of an ASCONF correlation ID.
const correlationLen = 4

// AddressRequestParam is an Add IP Address, Delete IP Address or Set Primary
// Address parameter, told apart by Type. They share a layout and are
// handled together, so one struct serves all three. Set Primary Address
// may also appear in INIT and INIT ACK (RFC 5061 section 4.2.4); the
// encoding is the same there.
//
// Address may be the wildcard 0.0.0.0 or ::, which RFC 5061 gives a
// meaning (for example "the source address of this packet" in Add IP
// Address).
type AddressRequestParam struct {
	Type          ParamType // ParamAddIP, ParamDeleteIP or ParamSetPrimary
	CorrelationID uint32
	Address       netip.Addr
}

// ParamType implements ParamValue.
func (r *AddressRequestParam) ParamType() ParamType { return r.Type }

// AppendValue implements ParamValue.
func (r *AddressRequestParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, r.CorrelationID)
	return appendAddressTLV(b, r.Address)
}

// Decode fills r from p, which must be one of the three request types and
// hold exactly one address parameter after the correlation ID.
func (r *AddressRequestParam) Decode(p Param) error {
	if err := expectParamFamily(p, "an address request", ParamAddIP, ParamDeleteIP, ParamSetPrimary); err != nil {
		return err
	}
	if err := expectParam(p, p.Type(), correlationLen+tlvHeaderLen); err != nil {
		return err
	}
	const at = tlvHeaderLen + correlationLen
	ap, err := nestedParam(p[at:], at, p.Type().String())
	if err != nil {
		return err
	}
	addr, err := DecodeAddress(ap)
	if err != nil {
		return Rebase(err, at)
	}
	*r = AddressRequestParam{Type: p.Type(), CorrelationID: binary.BigEndian.Uint32(p[tlvHeaderLen:]), Address: addr}
	return nil
}

// appendAddressTLV appends a as a whole IPv4 or IPv6 Address parameter. Its
// length is a multiple of four, so nothing needs padding after it.
func appendAddressTLV(b []byte, a netip.Addr) []byte {
	ap := AddressParam{Addr: a}
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, uint16(ap.ParamType()))
	b = append(b, 0, 0)
	b = ap.AppendValue(b)
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// addressTLVLen returns the size appendAddressTLV writes for a. It is
// measured rather than assumed, so it always agrees with AddressParam; the
// buffer stays on the stack.
func addressTLVLen(a netip.Addr) int {
	var buf [tlvHeaderLen + 16]byte
	return len(appendAddressTLV(buf[:0], a))
}

// ErrorCauseIndicationParam reports why the ASCONF request with the same
// correlation ID failed. Causes aliases the decoded parameter.
type ErrorCauseIndicationParam struct {
	CorrelationID uint32
	Causes        Causes
}

// ParamType implements ParamValue.
func (*ErrorCauseIndicationParam) ParamType() ParamType { return ParamErrorCauseIndication }

// AppendValue implements ParamValue.
func (e *ErrorCauseIndicationParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, e.CorrelationID)
	return append(b, e.Causes...)
}

// Decode fills e from p and checks the structure of the cause list.
func (e *ErrorCauseIndicationParam) Decode(p Param) error {
	if err := expectParam(p, ParamErrorCauseIndication, correlationLen); err != nil {
		return err
	}
	const at = tlvHeaderLen + correlationLen
	cs, err := parseCauseList(p[at:], at)
	if err != nil {
		return err
	}
	*e = ErrorCauseIndicationParam{CorrelationID: binary.BigEndian.Uint32(p[tlvHeaderLen:]), Causes: cs}
	return nil
}

// SuccessIndicationParam reports that the ASCONF request with the same
// correlation ID succeeded.
type SuccessIndicationParam struct{ CorrelationID uint32 }

// ParamType implements ParamValue.
func (*SuccessIndicationParam) ParamType() ParamType { return ParamSuccessIndication }

// AppendValue implements ParamValue.
func (s *SuccessIndicationParam) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, s.CorrelationID)
}

// Decode fills s from p.
func (s *SuccessIndicationParam) Decode(p Param) (err error) {
	s.CorrelationID, err = decodeUint32Param(p, ParamSuccessIndication)
	return err
}

// AdaptationLayerParam is the Adaptation Layer Indication parameter of INIT and
// INIT ACK.
type AdaptationLayerParam struct{ CodePoint uint32 }

// ParamType implements ParamValue.
func (*AdaptationLayerParam) ParamType() ParamType { return ParamAdaptationLayer }

// AppendValue implements ParamValue.
func (a *AdaptationLayerParam) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, a.CodePoint)
}

// Decode fills a from p.
func (a *AdaptationLayerParam) Decode(p Param) (err error) {
	a.CodePoint, err = decodeUint32Param(p, ParamAdaptationLayer)
	return err
}

// SupportedExtensionsParam lists the extension chunk types the sender supports,
// in INIT and INIT ACK. Decode reuses the capacity of Types.
type SupportedExtensionsParam struct{ Types []ChunkType }

// ParamType implements ParamValue.
func (*SupportedExtensionsParam) ParamType() ParamType { return ParamSupportedExtensions }

// AppendValue implements ParamValue.
func (s *SupportedExtensionsParam) AppendValue(b []byte) []byte { return appendChunkTypes(b, s.Types) }

// Decode fills s from p.
func (s *SupportedExtensionsParam) Decode(p Param) error {
	if err := expectParam(p, ParamSupportedExtensions, 0); err != nil {
		return err
	}
	s.Types = decodeChunkTypes(s.Types, p.Value())
	return nil
}
