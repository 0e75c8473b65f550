package wire

// ABORT and ERROR chunks (RFC 9260 sections 3.3.7 and 3.3.10) both carry a
// list of error causes; only ABORT defines a flag, T, set when the sender
// reflected the receiver's own Verification Tag instead of the peer's:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 6    |  Reserved   |T|            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                  zero or more Error Causes                    /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 9    |  Chunk Flags  |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                   one or more Error Causes                    /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// flagTagReflected is the T flag of ABORT and SHUTDOWN COMPLETE.
const flagTagReflected = 0x01

// Abort is an ABORT chunk. Causes aliases the decoded chunk; build it with
// [AppendCause].
type Abort struct {
	TagReflected bool // T flag
	Causes       Causes
}

// ErrorChunk is an ERROR chunk (named so to keep it apart from Go errors).
// Causes aliases the decoded chunk. The RFC asks for at least one cause;
// an empty list still decodes, as there is nothing in it to act on.
type ErrorChunk struct {
	Causes Causes
}

// ChunkType implements ChunkValue.
func (*Abort) ChunkType() ChunkType { return TypeAbort }

// Len implements ChunkValue.
func (a *Abort) Len() int { return causeChunkLen(a.Causes) }

// Append implements ChunkValue.
func (a *Abort) Append(b []byte) []byte {
	return appendCauseChunk(b, TypeAbort, tFlag(a.TagReflected), a.Causes)
}

// Decode implements ChunkValue. The cause list is validated, so iterating
// over it cannot fail; padding after the last cause is left out of Causes.
func (a *Abort) Decode(c Chunk) error {
	cs, err := decodeCauseChunk(c, TypeAbort)
	if err != nil {
		return err
	}
	*a = Abort{TagReflected: c.Flags()&flagTagReflected != 0, Causes: cs}
	return nil
}

// ChunkType implements ChunkValue.
func (*ErrorChunk) ChunkType() ChunkType { return TypeError }

// Len implements ChunkValue.
func (e *ErrorChunk) Len() int { return causeChunkLen(e.Causes) }

// Append implements ChunkValue.
func (e *ErrorChunk) Append(b []byte) []byte { return appendCauseChunk(b, TypeError, 0, e.Causes) }

// Decode implements ChunkValue, as [Abort.Decode] does.
func (e *ErrorChunk) Decode(c Chunk) (err error) {
	e.Causes, err = decodeCauseChunk(c, TypeError)
	return err
}

// tFlag returns the chunk flags for a T flag value.
func tFlag(reflected bool) uint8 {
	if reflected {
		return flagTagReflected
	}
	return 0
}

func causeChunkLen(cs Causes) int { return padLen(ChunkHeaderLen + len(cs)) }

func appendCauseChunk(b []byte, t ChunkType, flags uint8, cs Causes) []byte {
	b, start := beginChunk(b, t, flags)
	b = append(b, cs...)
	return endChunk(b, start)
}

func decodeCauseChunk(c Chunk, t ChunkType) (Causes, error) {
	if err := expectType(c, t); err != nil {
		return nil, err
	}
	return parseCauseList(c.Value(), ChunkHeaderLen)
}
