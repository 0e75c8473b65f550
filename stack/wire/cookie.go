package wire

// COOKIE ECHO and COOKIE ACK chunks (RFC 9260 sections 3.3.11 and 3.3.12):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 10   |  Chunk Flags  |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            Cookie                             /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 11   |  Chunk Flags  |          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// CookieEcho is a COOKIE ECHO chunk. Cookie is the State Cookie value from
// the INIT ACK, returned unchanged; it aliases the decoded chunk. The
// cookie's own padding cannot be told apart from cookie bytes, so a peer
// that counts it in the chunk length hands back a longer cookie; cookies
// whose length is a multiple of four avoid the question.
type CookieEcho struct {
	Cookie []byte
}

// CookieAck is a COOKIE ACK chunk.
type CookieAck struct{}

// ChunkType implements ChunkValue.
func (*CookieEcho) ChunkType() ChunkType { return TypeCookieEcho }

// Len implements ChunkValue.
func (e *CookieEcho) Len() int { return padLen(ChunkHeaderLen + len(e.Cookie)) }

// Append implements ChunkValue.
func (e *CookieEcho) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeCookieEcho, 0)
	b = append(b, e.Cookie...)
	return endChunk(b, start)
}

// Decode implements ChunkValue.
func (e *CookieEcho) Decode(c Chunk) error {
	if err := expectType(c, TypeCookieEcho); err != nil {
		return err
	}
	e.Cookie = c.Value()
	return nil
}

// ChunkType implements ChunkValue.
func (*CookieAck) ChunkType() ChunkType { return TypeCookieAck }

// Len implements ChunkValue.
func (*CookieAck) Len() int { return ChunkHeaderLen }

// Append implements ChunkValue.
func (*CookieAck) Append(b []byte) []byte { return appendEmptyChunk(b, TypeCookieAck, 0) }

// Decode implements ChunkValue. The chunk must be exactly 4 bytes.
func (*CookieAck) Decode(c Chunk) error {
	_, err := decodeEmptyChunk(c, TypeCookieAck)
	return err
}
