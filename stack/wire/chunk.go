package wire

// Chunk field format (RFC 9260 section 3.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Chunk Type  | Chunk  Flags  |        Chunk Length           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                          Chunk Value                          /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// ChunkHeaderLen is the size of a chunk header.
const ChunkHeaderLen = 4

// ChunkType identifies a chunk.
type ChunkType uint8

// Chunk types of RFC 9260 and of the extensions this package knows.
const (
	TypeData             ChunkType = 0
	TypeInit             ChunkType = 1
	TypeInitAck          ChunkType = 2
	TypeSack             ChunkType = 3
	TypeHeartbeat        ChunkType = 4
	TypeHeartbeatAck     ChunkType = 5
	TypeAbort            ChunkType = 6
	TypeShutdown         ChunkType = 7
	TypeShutdownAck      ChunkType = 8
	TypeError            ChunkType = 9
	TypeCookieEcho       ChunkType = 10
	TypeCookieAck        ChunkType = 11
	TypeECNE             ChunkType = 12
	TypeCWR              ChunkType = 13
	TypeShutdownComplete ChunkType = 14
	TypeAuth             ChunkType = 15   // RFC 4895
	TypeIData            ChunkType = 64   // RFC 8260
	TypeAsconfAck        ChunkType = 0x80 // RFC 5061
	TypeReconfig         ChunkType = 0x82 // RFC 6525
	TypePad              ChunkType = 0x84 // RFC 4820
	TypeForwardTSN       ChunkType = 0xC0 // RFC 3758
	TypeAsconf           ChunkType = 0xC1 // RFC 5061
	TypeIForwardTSN      ChunkType = 0xC2 // RFC 8260
)

var chunkNames = map[ChunkType]string{
	TypeData:             "DATA",
	TypeInit:             "INIT",
	TypeInitAck:          "INIT ACK",
	TypeSack:             "SACK",
	TypeHeartbeat:        "HEARTBEAT",
	TypeHeartbeatAck:     "HEARTBEAT ACK",
	TypeAbort:            "ABORT",
	TypeShutdown:         "SHUTDOWN",
	TypeShutdownAck:      "SHUTDOWN ACK",
	TypeError:            "ERROR",
	TypeCookieEcho:       "COOKIE ECHO",
	TypeCookieAck:        "COOKIE ACK",
	TypeECNE:             "ECNE",
	TypeCWR:              "CWR",
	TypeShutdownComplete: "SHUTDOWN COMPLETE",
	TypeAuth:             "AUTH",
	TypeIData:            "I-DATA",
	TypeAsconfAck:        "ASCONF-ACK",
	TypeReconfig:         "RE-CONFIG",
	TypePad:              "PAD",
	TypeForwardTSN:       "FORWARD-TSN",
	TypeAsconf:           "ASCONF",
	TypeIForwardTSN:      "I-FORWARD-TSN",
}

func (t ChunkType) String() string {
	if s, ok := chunkNames[t]; ok {
		return s
	}
	return fmt.Sprintf("chunk type %d", uint8(t))
}

// Known reports whether this package decodes chunks of type t.
func (t ChunkType) Known() bool {
	_, ok := chunkNames[t]
	return ok
}

// Action tells a receiver what to do with a chunk or parameter it does not
// recognize; it is the two high-order bits of the type (RFC 9260 sections
// 3.2 and 3.2.1).
type Action uint8

// The four actions. For chunks "stop" means discard the rest of the packet;
// for parameters it means stop processing the chunk's remaining parameters.
const (
	ActionStop       Action = 0 // stop, do not report
	ActionStopReport Action = 1 // stop and report
	ActionSkip       Action = 2 // skip and continue
	ActionSkipReport Action = 3 // skip, continue and report
)

func (a Action) String() string {
	return [...]string{"stop", "stop and report", "skip", "skip and report"}[a&3]
}

// Stop reports whether processing stops at the unrecognized item.
func (a Action) Stop() bool { return a&2 == 0 }

// Report reports whether the unrecognized item is reported to the peer.
func (a Action) Report() bool { return a&1 != 0 }

// Action returns what to do with a chunk of this type if it is not
// understood.
func (t ChunkType) Action() Action { return Action(t >> 6) }

// Chunk is a view of one chunk: header and value, without padding.
type Chunk []byte

// Type returns the chunk type.
func (c Chunk) Type() ChunkType { return ChunkType(c[0]) }

// Flags returns the chunk flags.
func (c Chunk) Flags() uint8 { return c[1] }

// Len returns the chunk length field, which equals len(c).
func (c Chunk) Len() int { return int(binary.BigEndian.Uint16(c[2:])) }

// Value returns the chunk value.
func (c Chunk) Value() []byte { return c[ChunkHeaderLen:] }

// ParseChunk returns the chunk at the start of b. The chunk's length field
// must lie within b; b may extend past the chunk and its padding.
func ParseChunk(b []byte) (Chunk, error) { return parseChunk(b) }

func parseChunk(b []byte) (Chunk, error) {
	if len(b) < ChunkHeaderLen {
		return nil, errShort("chunk header", 0, ChunkHeaderLen, len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < ChunkHeaderLen {
		return nil, errAt("chunk length", 2, fmt.Sprintf("%d is below the header size", n))
	}
	if n > len(b) {
		return nil, errAt("chunk length", 2, fmt.Sprintf("%d exceeds the %d bytes left in the packet", n, len(b)))
	}
	return Chunk(b[:n]), nil
}

// padLen rounds n up to a multiple of four.
func padLen(n int) int { return (n + 3) &^ 3 }

// Padding returns the number of zero bytes that pad a chunk of n bytes
// (or a payload of n bytes after a header of a multiple of four bytes) to
// a multiple of four.
func Padding(n int) int { return padLen(n) - n }

// appendChunkHeader appends a chunk header with length n, padding not
// counted.
func appendChunkHeader(b []byte, t ChunkType, flags uint8, n int) []byte {
	b = append(b, byte(t), flags)
	return binary.BigEndian.AppendUint16(b, uint16(n))
}

// beginChunk appends a chunk header with a placeholder length and returns
// the buffer and the chunk's start offset for endChunk.
func beginChunk(b []byte, t ChunkType, flags uint8) ([]byte, int) {
	return append(b, byte(t), flags, 0, 0), len(b)
}

// endChunk writes the length of the chunk that starts at start and pads the
// chunk to a multiple of four bytes.
func endChunk(b []byte, start int) []byte {
	n := len(b) - start
	binary.BigEndian.PutUint16(b[start+2:], uint16(n))
	return appendZeros(b, padLen(n)-n)
}

func appendZeros(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, 0)
	}
	return b
}

// expectType checks that c has type t, for the typed decoders.
func expectType(c Chunk, t ChunkType) error {
	if len(c) < ChunkHeaderLen {
		return errShort("chunk header", 0, ChunkHeaderLen, len(c))
	}
	if c.Type() != t {
		return errAt("chunk type", 0, fmt.Sprintf("%s, want %s", c.Type(), t))
	}
	return nil
}

// needLen checks that chunk c has at least n bytes.
func needLen(c Chunk, t ChunkType, n int) error {
	if len(c) < n {
		return errShort(t.String()+" chunk", 0, n, len(c))
	}
	return nil
}

// decodeFixed checks type and minimum length in one step.
func decodeFixed(c Chunk, t ChunkType, min int) error {
	if err := expectType(c, t); err != nil {
		return err
	}
	return needLen(c, t, min)
}

// decodeExact checks type and exact length, for chunks whose size the RFC
// fixes.
func decodeExact(c Chunk, t ChunkType, n int) error {
	if err := expectType(c, t); err != nil {
		return err
	}
	if len(c) != n {
		return errAt(t.String()+" chunk length", 2, fmt.Sprintf("%d, want %d", len(c), n))
	}
	return nil
}

// appendEmptyChunk appends a chunk that is only a header.
func appendEmptyChunk(b []byte, t ChunkType, flags uint8) []byte {
	return append(b, byte(t), flags, 0, ChunkHeaderLen)
}

// decodeEmptyChunk checks a chunk that is only a header and returns its
// flags.
func decodeEmptyChunk(c Chunk, t ChunkType) (uint8, error) {
	if err := decodeExact(c, t, ChunkHeaderLen); err != nil {
		return 0, err
	}
	return c.Flags(), nil
}

// tsnChunkLen is the size of a chunk whose value is one 32-bit field.
const tsnChunkLen = ChunkHeaderLen + 4

// appendTSNChunk appends a chunk whose value is the 32-bit field v.
func appendTSNChunk(b []byte, t ChunkType, v uint32) []byte {
	b = append(b, byte(t), 0, 0, tsnChunkLen)
	return binary.BigEndian.AppendUint32(b, v)
}

// decodeTSNChunk checks a chunk whose value is one 32-bit field and returns
// that field.
func decodeTSNChunk(c Chunk, t ChunkType) (uint32, error) {
	if err := decodeExact(c, t, tsnChunkLen); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(c[ChunkHeaderLen:]), nil
}

// Raw is any chunk kept as bytes: an unknown chunk to forward or report, or
// a chunk to be written verbatim. Append writes Type, Flags and Value with
// a fresh length and padding.
type Raw struct {
	Type  ChunkType
	Flags uint8
	Value []byte
}

// Decode fills r from c; Value aliases c.
func (r *Raw) Decode(c Chunk) error {
	if len(c) < ChunkHeaderLen {
		return errShort("chunk header", 0, ChunkHeaderLen, len(c))
	}
	*r = Raw{Type: c.Type(), Flags: c.Flags(), Value: c.Value()}
	return nil
}

// Len returns the encoded length including padding.
func (r *Raw) Len() int { return padLen(ChunkHeaderLen + len(r.Value)) }

// Append appends the chunk.
func (r *Raw) Append(b []byte) []byte {
	b, start := beginChunk(b, r.Type, r.Flags)
	b = append(b, r.Value...)
	return endChunk(b, start)
}
