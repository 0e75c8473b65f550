package wire

// SHUTDOWN, SHUTDOWN ACK and SHUTDOWN COMPLETE chunks (RFC 9260 sections
// 3.3.8, 3.3.9 and 3.3.13). All have fixed sizes:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 7    |  Chunk Flags  |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Cumulative TSN Ack                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 8    |  Chunk Flags  |          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Type = 14   |  Reserved   |T|          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// Shutdown is a SHUTDOWN chunk.
type Shutdown struct {
	CumTSNAck uint32 // last TSN received in sequence
}

// ShutdownAck is a SHUTDOWN ACK chunk.
type ShutdownAck struct{}

// ShutdownComplete is a SHUTDOWN COMPLETE chunk.
type ShutdownComplete struct {
	TagReflected bool // T flag, as in [Abort]
}

// ChunkType implements ChunkValue.
func (*Shutdown) ChunkType() ChunkType { return TypeShutdown }

// Len implements ChunkValue.
func (*Shutdown) Len() int { return tsnChunkLen }

// Append implements ChunkValue.
func (s *Shutdown) Append(b []byte) []byte { return appendTSNChunk(b, TypeShutdown, s.CumTSNAck) }

// Decode implements ChunkValue. The chunk must be exactly 8 bytes.
func (s *Shutdown) Decode(c Chunk) (err error) {
	s.CumTSNAck, err = decodeTSNChunk(c, TypeShutdown)
	return err
}

// ChunkType implements ChunkValue.
func (*ShutdownAck) ChunkType() ChunkType { return TypeShutdownAck }

// Len implements ChunkValue.
func (*ShutdownAck) Len() int { return ChunkHeaderLen }

// Append implements ChunkValue.
func (*ShutdownAck) Append(b []byte) []byte { return appendEmptyChunk(b, TypeShutdownAck, 0) }

// Decode implements ChunkValue. The chunk must be exactly 4 bytes.
func (*ShutdownAck) Decode(c Chunk) error {
	_, err := decodeEmptyChunk(c, TypeShutdownAck)
	return err
}

// ChunkType implements ChunkValue.
func (*ShutdownComplete) ChunkType() ChunkType { return TypeShutdownComplete }

// Len implements ChunkValue.
func (*ShutdownComplete) Len() int { return ChunkHeaderLen }

// Append implements ChunkValue.
func (s *ShutdownComplete) Append(b []byte) []byte {
	return appendEmptyChunk(b, TypeShutdownComplete, tFlag(s.TagReflected))
}

// Decode implements ChunkValue. The chunk must be exactly 4 bytes.
func (s *ShutdownComplete) Decode(c Chunk) error {
	flags, err := decodeEmptyChunk(c, TypeShutdownComplete)
	if err != nil {
		return err
	}
	s.TagReflected = flags&flagTagReflected != 0
	return nil
}
