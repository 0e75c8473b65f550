package wire

// Address parameters of INIT and INIT ACK (RFC 9260 section 3.3.2.1).
// IPv4 Address (5) and IPv6 Address (6):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 5            |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         IPv4 Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 6            |          Length = 20          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	|                         IPv6 Address                          |
//	|                                                               |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Host Name Address (11), deprecated by RFC 9260 but still to be
// understood, and Supported Address Types (12):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 11           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                           Host Name                           /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 12           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Address Type #1        |        Address Type #2        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            ......                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"bytes"
	"fmt"
	"net/netip"
)

// AddressParam is an IPv4 Address or IPv6 Address parameter; the family
// of Addr picks the type. An IPv4-mapped IPv6 address is written as an
// IPv6 Address, as it decodes; call Addr.Unmap first to send it as IPv4.
// A zone is not sent.
type AddressParam struct {
	Addr netip.Addr
}

// ParamType implements ParamValue.
func (a *AddressParam) ParamType() ParamType {
	if a.Addr.Is4() {
		return ParamIPv4Address
	}
	return ParamIPv6Address
}

// AppendValue implements ParamValue.
func (a *AddressParam) AppendValue(b []byte) []byte {
	if a.Addr.Is4() {
		v4 := a.Addr.As4()
		return append(b, v4[:]...)
	}
	v6 := a.Addr.As16()
	return append(b, v6[:]...)
}

// Decode fills a from p (see [DecodeAddress]).
func (a *AddressParam) Decode(p Param) (err error) {
	a.Addr, err = DecodeAddress(p)
	return err
}

// DecodeAddress returns the address held by p, which must be an IPv4
// Address parameter of length 8 or an IPv6 Address parameter of length 20.
// Other layers that nest address parameters (RFC 5061) use it too.
func DecodeAddress(p Param) (netip.Addr, error) {
	if len(p) < tlvHeaderLen {
		return netip.Addr{}, errShort("parameter header", 0, tlvHeaderLen, len(p))
	}
	switch t := p.Type(); t {
	case ParamIPv4Address:
		if err := expectParamExact(p, t, 4); err != nil {
			return netip.Addr{}, err
		}
		return netip.AddrFrom4([4]byte(p.Value())), nil
	case ParamIPv6Address:
		if err := expectParamExact(p, t, 16); err != nil {
			return netip.Addr{}, err
		}
		return netip.AddrFrom16([16]byte(p.Value())), nil
	default:
		return netip.Addr{}, errAt("parameter type", 0, fmt.Sprintf("%s, want an IPv4 or IPv6 Address", t))
	}
}

// HostNameParam is a Host Name Address parameter. Name excludes the NUL
// terminator, which AppendValue adds; decoded, it aliases the parameter.
// RFC 9260 forbids sending one; a receiver answers it with an Unresolvable
// Address cause, so it still has to decode.
type HostNameParam struct {
	Name []byte
}

// ParamType implements ParamValue.
func (*HostNameParam) ParamType() ParamType { return ParamHostNameAddress }

// AppendValue implements ParamValue.
func (h *HostNameParam) AppendValue(b []byte) []byte { return append(append(b, h.Name...), 0) }

// Decode fills h from p. A missing terminator is tolerated: there is
// nothing else the bytes could mean.
func (h *HostNameParam) Decode(p Param) error {
	if err := expectParam(p, ParamHostNameAddress, 0); err != nil {
		return err
	}
	h.Name = trimNUL(p.Value())
	return nil
}

// trimNUL drops the NUL terminator of a host name, and any further NULs a
// sender used to pad it.
func trimNUL(b []byte) []byte { return bytes.TrimRight(b, "\x00") }

// SupportedAddrTypesParam is a Supported Address Types parameter: the
// address parameter types (ParamIPv4Address, ParamIPv6Address,
// ParamHostNameAddress) the sender of an INIT can use.
//
// Types is a slice rather than a view because callers range over it and
// test membership with slices.Contains, and a sender builds it as a
// literal. It appears once per INIT, and Decode reuses its capacity, so
// the copy costs nothing after the first association.
type SupportedAddrTypesParam struct {
	Types []ParamType
}

// ParamType implements ParamValue.
func (*SupportedAddrTypesParam) ParamType() ParamType { return ParamSupportedAddressTypes }

// AppendValue implements ParamValue.
func (s *SupportedAddrTypesParam) AppendValue(b []byte) []byte { return appendUint16s(b, s.Types) }

// Decode fills s from p, reusing the capacity of Types.
func (s *SupportedAddrTypesParam) Decode(p Param) (err error) {
	if err := expectParam(p, ParamSupportedAddressTypes, 0); err != nil {
		return err
	}
	s.Types, err = decodeUint16s(s.Types, p, tlvHeaderLen)
	return err
}
