package wire

// ChunkValue is implemented by every typed chunk of this package: it can be
// decoded from a [Chunk] view and appended to a packet.
type ChunkValue interface {
	// ChunkType returns the type written in the chunk header.
	ChunkType() ChunkType
	// Len returns the number of bytes Append writes, padding included.
	Len() int
	// Append appends the chunk with its header and padding.
	Append(b []byte) []byte
	// Decode fills the value from c. Variable-length fields alias c;
	// slices the value already holds are reused.
	Decode(c Chunk) error
}
