package wire

// Every RSerPool parameter, and every error cause inside an Operation Error
// parameter, is a TLV (RFC 5354): a 16-bit type, a 16-bit length
// that counts the type, length and value fields but not the padding, the
// value, and zero padding to a multiple of four bytes. A parameter that holds
// other parameters counts their padding in its own length; whether it counts
// the padding of its last one varies between implementations, so both are
// accepted.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Parameter Type         |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                        Parameter Value                        /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

var be = binary.BigEndian

// ParamHeaderLen is the size of a parameter's type and length fields.
const ParamHeaderLen = 4

// Param is a view of one parameter: header and value, without padding.
// Views returned by this package are at least ParamHeaderLen bytes long.
type Param []byte

// Type returns the parameter type.
func (p Param) Type() ParamType { return ParamType(be.Uint16(p)) }

// Len returns the parameter length field, which equals len(p).
func (p Param) Len() int { return int(be.Uint16(p[2:])) }

// Value returns the parameter value.
func (p Param) Value() []byte { return p[ParamHeaderLen:] }

// ParseParam returns the parameter at the start of b. Its length field must
// lie within b; b may extend past the parameter and its padding.
func ParseParam(b []byte) (Param, error) {
	if len(b) < ParamHeaderLen {
		return nil, errShort("parameter header", 0, ParamHeaderLen, len(b))
	}
	n := int(be.Uint16(b[2:]))
	if n < ParamHeaderLen {
		return nil, errAt("parameter length", 2, fmt.Sprintf("%d is below the header size", n))
	}
	if n > len(b) {
		return nil, errAt("parameter length", 2, fmt.Sprintf("%d exceeds the %d bytes left in its parent", n, len(b)))
	}
	return Param(b[:n]), nil
}

// Params is a view of a list of parameters, such as the body of a message or
// the addresses of a transport parameter.
type Params []byte

// Iter returns an iterator over the list.
func (ps Params) Iter() ParamIter { return ParamIter{list: ps} }

// ParamIter walks a parameter list. Padding after the last parameter may be
// missing, since some lengths do not count it.
type ParamIter struct {
	list []byte
	off  int
	err  error
}

// Next returns the next parameter, or false at the end or on error.
func (it *ParamIter) Next() (Param, bool) {
	if it.err != nil || it.off >= len(it.list) {
		return nil, false
	}
	p, err := ParseParam(it.list[it.off:])
	if err != nil {
		it.err = rebase(err, it.off)
		return nil, false
	}
	it.off = skipParam(it.off, p, len(it.list))
	return p, true
}

// Err returns the error that stopped the iteration, if any. Its offset
// counts from the start of the list.
func (it *ParamIter) Err() error { return it.err }

// skipParam returns the offset after p and its padding, where p starts at
// off in a list of n bytes whose last padding may be missing.
func skipParam(off int, p Param, n int) int {
	return min(off+padLen(len(p)), n)
}

// ParamValue is a typed parameter that can be appended to a list.
type ParamValue interface {
	// ParamType returns the type written in the parameter header.
	ParamType() ParamType
	// ValueLen returns the number of bytes AppendValue writes.
	ValueLen() int
	// AppendValue appends the parameter value, without header or padding.
	AppendValue(b []byte) []byte
}

// AppendParam appends v with its header and padding. The value must be
// shorter than 65532 bytes, the most a 16-bit length can describe.
func AppendParam(b []byte, v ParamValue) []byte {
	b, start := beginTLV(b, uint16(v.ParamType()))
	return endTLV(v.AppendValue(b), start)
}

// ParamLen returns the number of bytes AppendParam writes for v.
func ParamLen(v ParamValue) int { return padLen(ParamHeaderLen + v.ValueLen()) }

// appendTLV appends a TLV whose value is known.
func appendTLV(b []byte, typ uint16, value []byte) []byte {
	b, start := beginTLV(b, typ)
	return endTLV(append(b, value...), start)
}

// beginTLV appends a TLV header with a placeholder length and returns the
// buffer and the TLV's start for endTLV.
func beginTLV(b []byte, typ uint16) ([]byte, int) {
	return append(be.AppendUint16(b, typ), 0, 0), len(b)
}

// endTLV writes the length of the TLV that starts at start, then pads it.
func endTLV(b []byte, start int) []byte {
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	return appendPadding(b, start)
}

var zeros [3]byte

// appendPadding pads the item that starts at start to a multiple of four.
func appendPadding(b []byte, start int) []byte {
	n := len(b) - start
	return append(b, zeros[:padLen(n)-n]...)
}

// padLen rounds n up to a multiple of four.
func padLen(n int) int { return (n + 3) &^ 3 }
