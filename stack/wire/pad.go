package wire

// PAD chunk (RFC 4820 section 3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x84  |   Flags = 0   |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                         Padding Data                          /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Padding parameter of INIT (section 4):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Parameter Type = 0x8005    |       Parameter Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                         Padding Data                          /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Both exist to make a packet bigger (for path MTU probing); the receiver
// ignores the padding data.

// Pad is a PAD chunk. Padding aliases the decoded chunk; to send n bytes
// of padding, set it to n zero bytes.
type Pad struct{ Padding []byte }

// ChunkType implements ChunkValue.
func (*Pad) ChunkType() ChunkType { return TypePad }

// Len implements ChunkValue.
func (p *Pad) Len() int { return padLen(ChunkHeaderLen + len(p.Padding)) }

// Append implements ChunkValue.
func (p *Pad) Append(b []byte) []byte {
	b, start := beginChunk(b, TypePad, 0)
	b = append(b, p.Padding...)
	return endChunk(b, start)
}

// Decode implements ChunkValue.
func (p *Pad) Decode(c Chunk) error {
	if err := expectType(c, TypePad); err != nil {
		return err
	}
	p.Padding = c.Value()
	return nil
}

// PadParam is the Padding parameter. Padding aliases the decoded
// parameter.
type PadParam struct{ Padding []byte }

// ParamType implements ParamValue.
func (*PadParam) ParamType() ParamType { return ParamPad }

// AppendValue implements ParamValue.
func (p *PadParam) AppendValue(b []byte) []byte { return append(b, p.Padding...) }

// Decode fills p from q.
func (p *PadParam) Decode(q Param) (err error) {
	p.Padding, err = opaqueParam(q, ParamPad)
	return err
}
