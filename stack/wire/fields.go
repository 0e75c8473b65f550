package wire

// Layouts that several parameter and cause codecs share: a value that is
// one 32-bit number, lists of 8- and 16-bit values filling the rest of a
// parameter, families of parameter types with one layout, and a single TLV
// nested at the end of a parameter or cause.

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// expectParamFamily checks that p has a header and one of the types ts,
// for the decoders that serve several parameter types with one struct;
// family names them in the error.
func expectParamFamily(p Param, family string, ts ...ParamType) error {
	if len(p) < tlvHeaderLen {
		return errShort("parameter header", 0, tlvHeaderLen, len(p))
	}
	if !slices.Contains(ts, p.Type()) {
		return errAt("parameter type", 0, fmt.Sprintf("%s, want %s", p.Type(), family))
	}
	return nil
}

// decodeUint32Param decodes a parameter of type t whose value is one
// 32-bit number.
func decodeUint32Param(p Param, t ParamType) (uint32, error) {
	if err := expectParamExact(p, t, 4); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(p[tlvHeaderLen:]), nil
}

// appendChunkTypes appends one byte per chunk type.
func appendChunkTypes(b []byte, ts []ChunkType) []byte {
	for _, t := range ts {
		b = append(b, byte(t))
	}
	return b
}

// decodeChunkTypes fills dst, reusing its capacity, with one chunk type per
// byte of b.
func decodeChunkTypes(dst []ChunkType, b []byte) []ChunkType {
	dst = dst[:0]
	for _, t := range b {
		dst = append(dst, ChunkType(t))
	}
	return dst
}

// appendUint16s appends vs as big-endian 16-bit values.
func appendUint16s[T ~uint16](b []byte, vs []T) []byte {
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// decodeUint16s fills dst, reusing its capacity, with the 16-bit values
// that fill p from offset from on. An odd byte left over makes the
// parameter length wrong.
func decodeUint16s[T ~uint16](dst []T, p Param, from int) ([]T, error) {
	b := p[from:]
	if len(b)%2 != 0 {
		return dst, errAt(p.Type().String()+" length", 2, fmt.Sprintf("%d leaves an odd byte after the 16-bit list", p.Len()))
	}
	dst = dst[:0]
	for i := 0; i < len(b); i += 2 {
		dst = append(dst, T(binary.BigEndian.Uint16(b[i:])))
	}
	return dst, nil
}

// nestedParam is nestedTLV for the parameter that fills the tail of a
// parameter or cause.
func nestedParam(b []byte, base int, outer string) (Param, error) {
	t, err := nestedTLV(b, base, "parameter", outer)
	return Param(t), err
}
