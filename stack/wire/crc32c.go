package wire

import (
	"encoding/binary"

	"github.com/mobisctp/mobisctp/internal/crc32c"
)

// CRC32c returns the Castagnoli CRC of b. internal/crc32c folds long
// inputs with AVX-512 where the CPU has it and uses hash/crc32 otherwise.
func CRC32c(b []byte) uint32 { return crc32c.Checksum(b) }

// packetCRC computes the packet checksum (RFC 9260 appendix A) with the
// checksum field taken as zero. It zeroes the field in place and restores
// it, so no copy of the packet is made.
func packetCRC(p []byte) uint32 {
	saved := binary.LittleEndian.Uint32(p[8:12])
	binary.LittleEndian.PutUint32(p[8:12], 0)
	sum := crc32c.Checksum(p)
	binary.LittleEndian.PutUint32(p[8:12], saved)
	return sum
}

// SetChecksum computes the CRC32c of the packet p, followed by the pieces
// more for a packet sent in pieces, and stores it in the common header. p
// must hold at least a common header.
func SetChecksum(p []byte, more ...[]byte) { SetChecksumPieces(p, more, nil) }

// PieceCRC is the CRC32c, computed beforehand, of one of the pieces of a
// packet: more[Piece] for SetChecksumPieces.
type PieceCRC struct {
	Piece int
	CRC   uint32
}

// SetChecksumPieces is SetChecksum for a packet some of whose pieces have
// a CRC known already, listed in known in the order of their pieces: it
// combines those CRCs instead of reading their pieces, which a sender
// checksummed while they were in its cache.
func SetChecksumPieces(p []byte, more [][]byte, known []PieceCRC) {
	binary.LittleEndian.PutUint32(p[8:12], 0)
	sum := crc32c.Checksum(p)
	for i, m := range more {
		if len(known) > 0 && known[0].Piece == i {
			sum = crc32c.Combine(sum, known[0].CRC, len(m))
			known = known[1:]
			continue
		}
		sum = crc32c.Update(sum, m)
	}
	binary.LittleEndian.PutUint32(p[8:12], sum)
}

// VerifyChecksum reports whether p carries a correct CRC32c. The CRC is
// stored in the byte order the RFC's reference code produces, which reads as
// little-endian.
func (p Packet) VerifyChecksum() bool {
	return len(p) >= CommonHeaderLen && packetCRC(p) == binary.LittleEndian.Uint32(p[8:12])
}
