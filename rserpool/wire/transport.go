package wire

// Transport parameters (RFC 5354) say where a pool
// element or a registrar listens. SCTP and TCP carry a Transport Use field;
// UDP, UDP-Lite and DCCP have a reserved field there, and DCCP adds a service
// code. Only SCTP, being multi-homed, lists more than one address.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 0x04 (SCTP), 0x05    |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Port              |         Transport Use         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:            IPv4 or IPv6 Address parameter #1 ... #n           :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x06 (UDP), 0x07      |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Port              |           (reserved)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                IPv4 or IPv6 Address parameter                 :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x03           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Port              |           (reserved)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       DCCP Service Code                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                IPv4 or IPv6 Address parameter                 :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The address parameters (RFC 5354):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x01           |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         IPv4 Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x02           |          Length = 20          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                    IPv6 Address (16 bytes)                    :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"fmt"
	"net/netip"
)

// TransportUse says what a pool element's transport endpoint carries.
type TransportUse uint16

// Transport uses of RFC 5354.
const (
	DataOnly        TransportUse = 0 // user data only
	DataPlusControl TransportUse = 1 // user data and ASAP control (Business Card, Cookie)
)

func (u TransportUse) String() string {
	switch u {
	case DataOnly:
		return "data only"
	case DataPlusControl:
		return "data plus control"
	}
	return fmt.Sprintf("transport use %d", uint16(u))
}

// Transport is a transport parameter: an endpoint of one of five protocols.
type Transport struct {
	// Type is ParamSCTPTransport, ParamTCPTransport, ParamUDPTransport,
	// ParamUDPLiteTransport or ParamDCCPTransport. The zero Type marks an
	// optional transport as absent.
	Type        ParamType
	Port        uint16
	Use         TransportUse // SCTP and TCP only
	ServiceCode uint32       // DCCP only
	// Addrs lists the endpoint's addresses: one, or several for SCTP.
	// Zones are not carried.
	Addrs []netip.Addr
}

func (t *Transport) walk(c codec) codec {
	fixed16(&c, &t.Port, "transport port")
	if t.Type == ParamSCTPTransport || t.Type == ParamTCPTransport {
		fixed16(&c, &t.Use, "transport use")
	} else {
		c.reserved(2)
		absent(&c, &t.Use)
	}
	if t.Type == ParamDCCPTransport {
		fixed32(&c, &t.ServiceCode, "DCCP service code")
	} else {
		absent(&c, &t.ServiceCode)
	}
	c.addrs(&t.Addrs, t.Type == ParamSCTPTransport)
	return c
}

// ParamType implements ParamValue.
func (t *Transport) ParamType() ParamType { return t.Type }

// ValueLen implements ParamValue.
func (t *Transport) ValueLen() int { return walkLen(t) }

// AppendValue implements ParamValue.
func (t *Transport) AppendValue(b []byte) []byte { return appendWalk(b, t) }

// Decode fills t from p, reusing the capacity of t.Addrs.
func (t *Transport) Decode(p Param) error {
	if err := expectParam(p, anyTransport); err != nil {
		return err
	}
	t.Type = p.Type()
	return decodeParam(p, anyTransport, t)
}

// addrs is the list of address parameters that ends a transport parameter.
func (c *codec) addrs(s *[]netip.Addr, multihomed bool) {
	switch c.mode {
	case sizing:
		for _, a := range *s {
			c.n += addrParamLen(a)
		}
		return
	case encoding:
		for _, a := range *s {
			c.b = appendAddr(c.b, a)
		}
		return
	}
	*s = (*s)[:0]
	at := c.off
	for {
		p, ok := c.match(ParamIPv4Address)
		if !ok {
			p, ok = c.match(ParamIPv6Address)
		}
		if !ok {
			break
		}
		a, err := decodeAddr(p)
		if err != nil {
			c.fail(rebase(err, c.off))
			return
		}
		*s = append(*s, a)
		c.off = skipParam(c.off, p, len(c.in))
	}
	switch {
	case c.err != nil:
	case len(*s) == 0:
		c.fail(errAt("address parameter", at, "mandatory parameter missing"))
	case len(*s) > 1 && !multihomed:
		c.fail(errAt("address parameter", at, fmt.Sprintf("%d addresses; only SCTP carries more than one", len(*s))))
	}
}

func addrParamLen(a netip.Addr) int {
	if a.Is4() {
		return ParamHeaderLen + 4
	}
	return ParamHeaderLen + 16
}

// appendAddr appends a as an IPv4 or IPv6 Address parameter. An IPv4-mapped
// IPv6 address stays an IPv6 Address parameter.
func appendAddr(b []byte, a netip.Addr) []byte {
	if a.Is4() {
		v4 := a.As4()
		return appendTLV(b, uint16(ParamIPv4Address), v4[:])
	}
	v6 := a.As16()
	return appendTLV(b, uint16(ParamIPv6Address), v6[:])
}

func decodeAddr(p Param) (netip.Addr, error) {
	if p.Type() == ParamIPv4Address {
		if err := expectValueLen(p, ParamIPv4Address, 4); err != nil {
			return netip.Addr{}, err
		}
		return netip.AddrFrom4([4]byte(p.Value())), nil
	}
	if err := expectValueLen(p, ParamIPv6Address, 16); err != nil {
		return netip.Addr{}, err
	}
	return netip.AddrFrom16([16]byte(p.Value())), nil
}
