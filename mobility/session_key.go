package mobility

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// The token names a session and travels in clear in every session
// cookie, so it proves nothing: whoever saw one association's packets
// knows it. What proves a continuation is a key only the two ends hold.
// The opening Cookie Echo carries the dialler's X25519 public key, the
// acceptor answers with a Cookie carrying its own (kindOpened), and both
// derive the session key from the shared secret (HKDF-SHA-256, the token
// as salt). A Cookie Echo that continues the session carries a counter
// above every one accepted before and an HMAC-SHA-256 of the whole cookie
// under that key; the acceptor's answer, with the same counter, is signed
// too, so the dialler sends its unacknowledged messages again only to the
// node it opened the session with. A passive observer of any of the
// associations learns neither the key nor a proof it could use (a
// replayed continuation has a spent counter). Someone who can change the
// opening's packets in flight can still sit in the middle, as with any
// key exchange that authenticates nobody; SCTP-AUTH with shared keys, or
// DTLS, is the answer to that.

// ErrSessionProof refuses an association that continues a session
// without proving that it holds the session's key, or with a counter
// already used.
var ErrSessionProof = errors.New("mobility: the association continues a session without proof of its key")

// errNotKeyed is the failover of a dialler whose opening the acceptor
// never answered: there is no key to prove the continuation with.
var errNotKeyed = errors.New("mobility: the session has no key yet (the peer never answered its opening), so it cannot continue")

// sessionKeyInfo binds the derived key to its use.
const sessionKeyInfo = "mobisctp mobility session key v2"

// newKeyPair returns a fresh X25519 key pair for a session's opening.
func newKeyPair() *ecdh.PrivateKey {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand never fails
	}
	return k
}

// publicKey returns k's public key as a cookie carries it.
func publicKey(k *ecdh.PrivateKey) [publicKeyLen]byte {
	return [publicKeyLen]byte(k.PublicKey().Bytes())
}

// deriveKey returns the session key from our private key and the peer's
// public key.
func deriveKey(priv *ecdh.PrivateKey, peer [publicKeyLen]byte, tok token) ([]byte, error) {
	pub, err := ecdh.X25519().NewPublicKey(peer[:])
	if err != nil {
		return nil, err
	}
	secret, err := priv.ECDH(pub) // fails for a low-order point
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, secret, tok[:], sessionKeyInfo, 32)
}

// sign sets m's HMAC under key.
func (m *sessionMsg) sign(key []byte) {
	m.mac = [macLen]byte(cookieMAC(key, m.body(nil)))
}

// provenBy reports whether m's HMAC is right under key.
func (m sessionMsg) provenBy(key []byte) bool {
	return key != nil && hmac.Equal(m.mac[:], cookieMAC(key, m.body(nil)))
}

func cookieMAC(key, b []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(b)
	return h.Sum(nil)
}
