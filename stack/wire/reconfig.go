package wire

// RE-CONFIG chunk (RFC 6525 section 3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 130   |  Chunk Flags  |         Chunk Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                  Re-configuration Parameter                   /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/             Re-configuration Parameter (optional)             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The parameters are in reconfig_params.go.

import "fmt"

// maxReconfigParams is how many parameters a RE-CONFIG chunk may carry.
const maxReconfigParams = 2

// Reconfig is a RE-CONFIG chunk. Params aliases the decoded chunk; which
// pairs of parameters may travel together (RFC 6525 section 3.1) is the
// receiver's business.
type Reconfig struct{ Params Params }

// ChunkType implements ChunkValue.
func (*Reconfig) ChunkType() ChunkType { return TypeReconfig }

// Len implements ChunkValue.
func (r *Reconfig) Len() int { return padLen(ChunkHeaderLen + len(r.Params)) }

// Append implements ChunkValue.
func (r *Reconfig) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeReconfig, 0)
	b = append(b, r.Params...)
	return endChunk(b, start)
}

// Decode implements ChunkValue. The chunk must hold one or two well-formed
// parameters.
func (r *Reconfig) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeReconfig, ChunkHeaderLen+tlvHeaderLen); err != nil {
		return err
	}
	ps, err := parseParamList(c[ChunkHeaderLen:], ChunkHeaderLen)
	if err != nil {
		return err
	}
	it := tlvIter{buf: ps, what: "parameter"}
	for range maxReconfigParams {
		it.next()
	}
	if it.off < len(ps) {
		return errAt("RE-CONFIG parameter", ChunkHeaderLen+it.off, fmt.Sprintf("more than %d parameters", maxReconfigParams))
	}
	r.Params = ps
	return nil
}
