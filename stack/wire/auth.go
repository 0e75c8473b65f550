package wire

// AUTH chunk (RFC 4895 section 5.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x0F  |   Flags = 0   |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Shared Key Identifier     |        HMAC Identifier        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                             HMAC                              /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The HMAC covers the AUTH chunk, with the HMAC field set to zero, and every
// chunk after it in the packet (RFC 4895 section 6.2).

import "encoding/binary"

// AuthHMACOffset is the offset of the HMAC field in an AUTH chunk.
const AuthHMACOffset = 8

// HMACID identifies an HMAC algorithm (RFC 4895 section 3.3).
type HMACID uint16

// HMAC identifiers of RFC 4895.
const (
	HMACSHA1   HMACID = 1
	HMACSHA256 HMACID = 3
)

// Auth is an AUTH chunk. HMAC aliases the decoded chunk; its length is
// whatever the peer sent, since judging it needs the algorithm in HMACID.
type Auth struct {
	KeyID  uint16
	HMACID HMACID
	HMAC   []byte
}

// ChunkType implements ChunkValue.
func (*Auth) ChunkType() ChunkType { return TypeAuth }

// Len implements ChunkValue.
func (a *Auth) Len() int { return padLen(AuthHMACOffset + len(a.HMAC)) }

// Append implements ChunkValue. To sign, append an Auth whose HMAC is
// zeroed and of the algorithm's size, append the chunks to cover, and
// write the HMAC over them into the field [AuthHMAC] returns.
func (a *Auth) Append(b []byte) []byte {
	b, start := beginChunk(b, TypeAuth, 0)
	b = binary.BigEndian.AppendUint16(b, a.KeyID)
	b = binary.BigEndian.AppendUint16(b, uint16(a.HMACID))
	b = append(b, a.HMAC...)
	return endChunk(b, start)
}

// Decode implements ChunkValue.
func (a *Auth) Decode(c Chunk) error {
	if err := decodeFixed(c, TypeAuth, AuthHMACOffset); err != nil {
		return err
	}
	*a = Auth{
		KeyID:  binary.BigEndian.Uint16(c[4:]),
		HMACID: HMACID(binary.BigEndian.Uint16(c[6:])),
		HMAC:   c[AuthHMACOffset:],
	}
	return nil
}

// AuthHMAC returns the HMAC field of the AUTH chunk that starts b. Pass the
// packet from the AUTH chunk on: that is exactly what the HMAC covers. The
// field aliases b, so a verifier copies it out, zeroes it in place, computes
// the HMAC over b and compares, without copying the packet.
func AuthHMAC(b []byte) ([]byte, error) {
	c, err := parseChunk(b)
	if err != nil {
		return nil, err
	}
	if err := decodeFixed(c, TypeAuth, AuthHMACOffset); err != nil {
		return nil, err
	}
	return c[AuthHMACOffset:len(c):len(c)], nil
}

// AuthCovers reports whether every chunk of type t in p comes after an
// AUTH chunk, as chunks that must be authenticated have to (RFC 4895
// section 6.2). It is true if p holds no chunk of type t, and false if p is
// malformed. It does not check the HMAC.
func (p Packet) AuthCovers(t ChunkType) bool {
	authSeen := false
	it := p.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch c.Type() {
		case TypeAuth:
			authSeen = true
		case t:
			if !authSeen {
				return false
			}
		}
	}
	return it.Err() == nil
}
