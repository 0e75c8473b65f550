package auth

import (
	"errors"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Errors of [Session.Sign], besides [ErrNoKey].
var (
	ErrMalformed       = errors.New("auth: not an AUTH chunk with an HMAC field of its algorithm's size")
	ErrUnsupportedHMAC = errors.New("auth: HMAC identifier not supported")
)

// zeroHMAC is the HMAC field of an AUTH chunk before signing.
var zeroHMAC [maxHMACLen]byte

// AuthLen returns the size of the AUTH chunk that AppendAuth appends.
func (s *Session) AuthLen() int { return wire.AuthHMACOffset + algos[s.send].size }

// AppendAuth appends to b an AUTH chunk for the active key and the
// session's algorithm, with the HMAC field zero. The chunk starts at the
// length b had; once every chunk to cover has been appended after it, pass
// the packet from there on to Sign.
func (s *Session) AppendAuth(b []byte) []byte {
	a := wire.Auth{KeyID: s.keys.active, HMACID: s.HMAC(), HMAC: zeroHMAC[:algos[s.send].size]}
	return a.Append(b)
}

// Sign writes the HMAC of the AUTH chunk that starts b, covering that chunk
// with its HMAC field zero and everything after it in b and then in more
// (RFC 4895 section 6.2): b and the pieces more must end where the packet
// ends, and b must hold the whole AUTH chunk. Sign uses the key and algorithm
// written in the chunk; it fails if the keyring no longer has that key
// ([ErrNoKey]), if the peer did not list that algorithm
// ([ErrUnsupportedHMAC]), or if b does not start with an AUTH chunk whose
// HMAC field has the algorithm's size ([ErrMalformed]).
func (s *Session) Sign(b []byte, more ...[]byte) error {
	field, mac, res := s.open(b, &s.peer.listed)
	switch res {
	case Malformed:
		return ErrMalformed
	case UnsupportedHMAC:
		return ErrUnsupportedHMAC
	case UnknownKey:
		return ErrNoKey
	}
	clear(field)
	copy(field, s.compute(mac, b, more...))
	return nil
}
