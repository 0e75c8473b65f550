package wire

// HEARTBEAT and HEARTBEAT ACK chunks (RFC 9260 sections 3.3.5 and 3.3.6),
// each carrying one Heartbeat Info parameter:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 4/5   |  Chunk Flags  |       Heartbeat Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Heartbeat Info Type = 1    |         HB Info Length        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                 Sender-Specific Heartbeat Info                /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// Heartbeat is a HEARTBEAT chunk. Info is the sender-specific heartbeat
// information; it aliases the decoded chunk.
type Heartbeat struct{ Info []byte }

// HeartbeatAck is a HEARTBEAT ACK chunk, echoing a Heartbeat's Info.
type HeartbeatAck struct{ Info []byte }

// ChunkType implements ChunkValue.
func (*Heartbeat) ChunkType() ChunkType { return TypeHeartbeat }

// Len implements ChunkValue.
func (h *Heartbeat) Len() int { return heartbeatLen(h.Info) }

// Append implements ChunkValue.
func (h *Heartbeat) Append(b []byte) []byte { return appendHeartbeat(b, TypeHeartbeat, h.Info) }

// Decode implements ChunkValue.
func (h *Heartbeat) Decode(c Chunk) (err error) {
	h.Info, err = decodeHeartbeat(c, TypeHeartbeat)
	return err
}

// ChunkType implements ChunkValue.
func (*HeartbeatAck) ChunkType() ChunkType { return TypeHeartbeatAck }

// Len implements ChunkValue.
func (h *HeartbeatAck) Len() int { return heartbeatLen(h.Info) }

// Append implements ChunkValue.
func (h *HeartbeatAck) Append(b []byte) []byte { return appendHeartbeat(b, TypeHeartbeatAck, h.Info) }

// Decode implements ChunkValue.
func (h *HeartbeatAck) Decode(c Chunk) (err error) {
	h.Info, err = decodeHeartbeat(c, TypeHeartbeatAck)
	return err
}

func heartbeatLen(info []byte) int {
	return padLen(ChunkHeaderLen + tlvHeaderLen + len(info))
}

func appendHeartbeat(b []byte, t ChunkType, info []byte) []byte {
	b, start := beginChunk(b, t, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(ParamHeartbeatInfo))
	b = binary.BigEndian.AppendUint16(b, uint16(tlvHeaderLen+len(info)))
	b = append(b, info...)
	return endChunk(b, start)
}

func decodeHeartbeat(c Chunk, t ChunkType) ([]byte, error) {
	if err := decodeFixed(c, t, ChunkHeaderLen+tlvHeaderLen); err != nil {
		return nil, err
	}
	p, err := ParseParam(c.Value())
	if err != nil {
		return nil, Rebase(err, ChunkHeaderLen)
	}
	if p.Type() != ParamHeartbeatInfo {
		return nil, errAt("Heartbeat Info type", ChunkHeaderLen, fmt.Sprintf("%s, want %s", p.Type(), ParamHeartbeatInfo))
	}
	// Some peers count the parameter's padding in the chunk length; more
	// than that is malformed.
	if rest := len(c.Value()) - len(p); rest != 0 && len(c.Value()) != padLen(len(p)) {
		return nil, errAt(t.String()+" chunk length", 2, fmt.Sprintf("%d bytes follow the Heartbeat Info parameter", rest))
	}
	return p.Value(), nil
}
