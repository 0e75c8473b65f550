package wire

// ECN Echo (ECNE) and Congestion Window Reduced (CWR) chunks (RFC 9260
// appendix A). Both carry the lowest TSN of the packet that arrived marked
// Congestion Experienced:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Type = 12/13  |  Chunk Flags  |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Lowest TSN Number                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// ecneDraftLen is the size of the ECNE of draft-stewart-tsvwg-sctpecn,
// which appends a 32-bit count of CE-marked packets. FreeBSD and usrsctp
// send it.
const ecneDraftLen = tsnChunkLen + 4

// ECNE is an ECN Echo chunk.
type ECNE struct {
	LowestTSN uint32
}

// CWR is a Congestion Window Reduced chunk.
type CWR struct {
	LowestTSN uint32
}

// ChunkType implements ChunkValue.
func (*ECNE) ChunkType() ChunkType { return TypeECNE }

// Len implements ChunkValue.
func (*ECNE) Len() int { return tsnChunkLen }

// Append implements ChunkValue; it writes the 8-byte chunk of RFC 9260.
func (e *ECNE) Append(b []byte) []byte { return appendTSNChunk(b, TypeECNE, e.LowestTSN) }

// Decode implements ChunkValue. Besides the 8-byte chunk of RFC 9260 it
// accepts the 12-byte draft form that usrsctp peers send, dropping the
// packet count that the RFC's congestion response has no use for.
func (e *ECNE) Decode(c Chunk) error {
	if err := expectType(c, TypeECNE); err != nil {
		return err
	}
	if len(c) != tsnChunkLen && len(c) != ecneDraftLen {
		return errAt("ECNE chunk length", 2, fmt.Sprintf("%d, want %d or %d", len(c), tsnChunkLen, ecneDraftLen))
	}
	e.LowestTSN = binary.BigEndian.Uint32(c[ChunkHeaderLen:])
	return nil
}

// ChunkType implements ChunkValue.
func (*CWR) ChunkType() ChunkType { return TypeCWR }

// Len implements ChunkValue.
func (*CWR) Len() int { return tsnChunkLen }

// Append implements ChunkValue.
func (w *CWR) Append(b []byte) []byte { return appendTSNChunk(b, TypeCWR, w.LowestTSN) }

// Decode implements ChunkValue. The chunk must be exactly 8 bytes.
func (w *CWR) Decode(c Chunk) (err error) {
	w.LowestTSN, err = decodeTSNChunk(c, TypeCWR)
	return err
}
