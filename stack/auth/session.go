package auth

import (
	"crypto/hmac"
	"encoding/binary"
	"hash"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Session is the AUTH state of one association: both sides' parameters,
// the association's keyring, and the association shared keys derived so
// far, each with its HMAC instances. It is owned by the association's
// goroutine.
type Session struct {
	local, peer *Params
	keys        *Keyring
	send        int // index in algos of the algorithm we sign with
	cache       map[uint16]*derived
	got         [maxHMACLen]byte // a received HMAC, copied out of the packet
	sum         [maxHMACLen]byte // a computed HMAC
}

// derived is the association shared key for one key identifier.
type derived struct {
	src    *sharedKey // the endpoint-pair shared key it was derived from
	secret []byte
	macs   [len(algos)]hash.Hash // by index in algos, made on first use
}

// NewSession returns the AUTH state of an association whose side sent
// local and whose peer sent peer, both from [NewParams] or [ParseParams].
// The session takes a clone of keys, normally the endpoint's keyring.
//
// The session signs with the first algorithm of the peer's HMAC-ALGO list
// that this package implements: RFC 4895 section 6.1 leaves the choice to
// the receiver of that list, so each direction may use another algorithm.
func NewSession(local, peer *Params, keys *Keyring) *Session {
	return &Session{
		local: local,
		peer:  peer,
		keys:  keys.Clone(),
		send:  peer.first,
		cache: make(map[uint16]*derived),
	}
}

// Keys returns the association's own keyring, for changing its keys
// without touching the endpoint's. A replaced key is derived again on its
// next use.
func (s *Session) Keys() *Keyring { return s.keys }

// HMAC returns the identifier of the algorithm the session signs with.
func (s *Session) HMAC() wire.HMACID { return algos[s.send].id }

// SendNeedsAuth reports whether chunks of type t must be sent after an AUTH
// chunk: the peer listed t in its CHUNKS parameter.
func (s *Session) SendNeedsAuth(t wire.ChunkType) bool { return s.peer.chunks.has(t) }

// RecvNeedsAuth reports whether received chunks of type t must be silently
// discarded unless they follow, in the same packet, an AUTH chunk that
// verified: we listed t in our CHUNKS parameter (RFC 4895 section 6.3).
func (s *Session) RecvNeedsAuth(t wire.ChunkType) bool { return s.local.chunks.has(t) }

// derive returns the association shared key for key identifier id,
// deriving it if the keyring's key is new, or nil if the keyring has no
// such key.
func (s *Session) derive(id uint16) *derived {
	k := s.keys.keys[id]
	if k == nil {
		delete(s.cache, id)
		return nil
	}
	d := s.cache[id]
	if d == nil || d.src != k {
		d = &derived{src: k, secret: associationKey(k.b, s.local.vector, s.peer.vector)}
		s.cache[id] = d
	}
	return d
}

// mac returns the HMAC of algorithm algos[i] keyed with d's secret.
func (d *derived) mac(i int) hash.Hash {
	if d.macs[i] == nil {
		d.macs[i] = hmac.New(algos[i].newHash, d.secret)
	}
	return d.macs[i]
}

// open parses the AUTH chunk that starts b and returns its HMAC field and
// the HMAC instance of its key and algorithm, which must be one of those
// accepted. It checks the algorithm before the key, in the order of RFC
// 4895 section 6.3. The returned Result is never BadHMAC.
func (s *Session) open(b []byte, accepted *[len(algos)]bool) ([]byte, hash.Hash, Result) {
	field, err := wire.AuthHMAC(b)
	if err != nil {
		return nil, nil, Malformed
	}
	i := algoIndex(wire.HMACID(binary.BigEndian.Uint16(b[6:])))
	if i < 0 || !accepted[i] {
		return nil, nil, UnsupportedHMAC
	}
	if len(field) != algos[i].size {
		return nil, nil, Malformed
	}
	d := s.derive(binary.BigEndian.Uint16(b[4:]))
	if d == nil {
		return nil, nil, UnknownKey
	}
	return field, d.mac(i), Verified
}

// compute returns the HMAC of b followed by the pieces more; the result
// aliases s.sum.
func (s *Session) compute(mac hash.Hash, b []byte, more ...[]byte) []byte {
	mac.Reset()
	mac.Write(b)
	for _, m := range more {
		mac.Write(m)
	}
	return mac.Sum(s.sum[:0])
}
