package wire

// Parameters and error causes share one layout (RFC 9260 sections 3.2.1 and
// 3.3.10): a 16-bit type or code, a 16-bit length that counts the header and
// value but not the padding, the value, and zero padding to four bytes.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Type / Code          |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                             Value                             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

const tlvHeaderLen = 4

// parseTLV returns the TLV at the start of b; what names the kind of item in
// errors ("parameter" or "error cause").
func parseTLV(b []byte, what string) ([]byte, error) {
	if len(b) < tlvHeaderLen {
		return nil, errShort(what+" header", 0, tlvHeaderLen, len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < tlvHeaderLen {
		return nil, errAt(what+" length", 2, fmt.Sprintf("%d is below the header size", n))
	}
	if n > len(b) {
		return nil, errAt(what+" length", 2, fmt.Sprintf("%d exceeds the %d bytes left", n, len(b)))
	}
	return b[:n], nil
}

// tlvIter walks a list of TLVs. Padding after the last TLV may be missing,
// since chunk lengths do not count it.
type tlvIter struct {
	buf  []byte
	off  int
	what string
	err  error
}

func (it *tlvIter) next() ([]byte, bool) {
	if it.err != nil || it.off >= len(it.buf) {
		return nil, false
	}
	t, err := parseTLV(it.buf[it.off:], it.what)
	if err != nil {
		it.err = Rebase(err, it.off)
		return nil, false
	}
	it.off += padLen(len(t))
	if it.off > len(it.buf) {
		it.off = len(it.buf)
	}
	return t, true
}

// validateTLVs walks a whole list and returns the first structural error,
// with offsets rebased by base (the list's offset in its chunk).
func validateTLVs(b []byte, what string, base int) error {
	_, err := tlvListEnd(b, what, base)
	return err
}

// tlvListEnd walks a whole list like validateTLVs and returns the offset
// just past its last TLV, before that TLV's padding: some peers count the
// padding in the enclosing length, and decoders trim it so that the lists
// they return are the ones [appendTLV] would build.
func tlvListEnd(b []byte, what string, base int) (int, error) {
	it := tlvIter{buf: b, what: what}
	end := 0
	for {
		start := it.off
		t, ok := it.next()
		if !ok {
			break
		}
		end = start + len(t)
	}
	if it.err != nil {
		return 0, Rebase(it.err, base)
	}
	return end, nil
}

// nestedTLV returns the one item that fills b, the tail of the parameter or
// cause named outer, at offset base in it. The item may be a parameter, an
// error cause or a chunk (what names it): all three keep a 16-bit length at
// offset 2. A sender may count the nested item's padding in the outer
// length; more than that is reported against the outer length field.
func nestedTLV(b []byte, base int, what, outer string) ([]byte, error) {
	t, err := parseTLV(b, what)
	if err != nil {
		return nil, Rebase(err, base)
	}
	if len(b) != len(t) && len(b) != padLen(len(t)) {
		return nil, errAt(outer+" length", 2, fmt.Sprintf("%d bytes follow the nested %s", len(b)-len(t), what))
	}
	return t, nil
}

// appendTLV appends a TLV to the list l, first padding the previous TLV.
// l must start at a four-byte boundary of the enclosing chunk. The new TLV
// is left unpadded, because the length of the chunk or parameter that
// holds the list does not count the last item's padding.
func appendTLV(l []byte, typ uint16, value func([]byte) []byte) []byte {
	l = appendZeros(l, padLen(len(l))-len(l))
	start := len(l)
	l = binary.BigEndian.AppendUint16(l, typ)
	l = append(l, 0, 0)
	l = value(l)
	binary.BigEndian.PutUint16(l[start+2:], uint16(len(l)-start))
	return l
}
