package registrar

import (
	"fmt"
	"slices"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Pool elements prove themselves with SCTP-AUTH keys (RFC 5355, RFC 4895):
// with element keys configured, the ASAP endpoint asks every peer to
// authenticate its DATA chunks and holds each key under its Shared Key
// Identifier, beside the empty key 0. The stack says which key
// authenticated each message (stack.RecvInfo), and a Registration is
// accepted only if that key is an element key whose pools include the
// one the registration names. Pool users need no key: their messages,
// signed with key 0, are answered as before. Registrations from peers
// that do not do SCTP-AUTH, or sign with key 0, are refused.
//
// The proof goes both ways: a session signs its answers with the key its
// peer's message was authenticated with (signWith), so that a keyed
// element, or a pool user holding a user key, can tell its registrar from
// one that only claims to be (asap.ElementConfig.KeyID, UserConfig.KeyID).
//
// The keys bind registrations at the home registrar only. Peer registrars
// are trusted for every pool: they prove themselves with the ENRP key
// (enrp_auth.go), which all of them share, and the Handle Updates they
// send are not checked against element keys. Scoping a peer to some
// pools would break takeover, where any survivor becomes home for any of
// a dead peer's elements; RFC 5355 likewise treats the registrars of an
// operational scope as equally trusted.

// ElementKey is an endpoint-pair shared key that pool elements register
// with.
type ElementKey struct {
	// ID is the Shared Key Identifier the element signs with; 1 to
	// 65535 (0 is the empty key every SCTP-AUTH endpoint has).
	ID uint16
	// Key is the secret, at least MinKeyLen bytes.
	Key []byte
	// Pools are the pool handles a registration with this key may name;
	// none means every pool.
	Pools []wire.PoolHandle
}

// Allows reports whether a registration with the key may name pool
// handle.
func (k *ElementKey) Allows(handle []byte) bool {
	return len(k.Pools) == 0 || slices.ContainsFunc(k.Pools, func(p wire.PoolHandle) bool { return string(p) == string(handle) })
}

// MinKeyLen is the shortest element or ENRP key accepted: 128 bits, so
// that a key cannot be guessed.
const MinKeyLen = 16

// keyRefusal says why a registration's key does not allow its pool.
type keyRefusal uint8

const (
	keyAllows    keyRefusal = iota
	keyMissing              // not authenticated with an element key
	keyOtherPool            // an element key for other pools
)

// elementKeys are the configured element keys by identifier; nil when
// there are none, and then every registration is allowed.
type elementKeys map[uint16]*ElementKey

func newElementKeys(keys []ElementKey) elementKeys {
	if len(keys) == 0 {
		return nil
	}
	m := make(elementKeys, len(keys))
	for i := range keys {
		m[keys[i].ID] = &keys[i]
	}
	return m
}

// msgKey is what authenticated a received message (stack.RecvInfo).
type msgKey struct {
	ok bool
	id uint16
}

// allows reports whether a registration authenticated by key may name
// pool handle.
func (k elementKeys) allows(key msgKey, handle []byte) keyRefusal {
	if k == nil {
		return keyAllows
	}
	ek := k[key.id]
	switch {
	case !key.ok || ek == nil:
		return keyMissing
	case !ek.Allows(handle):
		return keyOtherPool
	}
	return keyAllows
}

// keyActivator is a conn whose signing key can change (*stack.Association).
type keyActivator interface {
	ActivateKey(id uint16) error
}

// signWith makes the session's association sign with the key a message
// from its peer was authenticated with, unless that is the empty key 0:
// our answers then prove to the element (or user) that we hold its key
// (RFC 5355 asks both sides to authenticate, and asap.ElementConfig.KeyID
// insists on it). The first message of a peer that signs with a key
// changes it, before it is answered; later ones cost nothing.
func (s *session) signWith(k msgKey) {
	if !k.ok || k.id == 0 || k.id == s.signs {
		return
	}
	if a, ok := s.conn.(keyActivator); ok && a.ActivateKey(k.id) == nil {
		s.signs = k.id
	}
}

// UserKey is an endpoint-pair shared key that pool users sign with, so
// that the registrar can prove itself to them (asap.UserConfig.KeyID)
// as it does to keyed elements. It allows no registration.
type UserKey struct {
	// ID is the Shared Key Identifier; 1 to 65535, none of an element
	// key's.
	ID uint16
	// Key is the secret, at least MinKeyLen bytes.
	Key []byte
}

// sharedKey is an element or user key as the endpoint holds it.
type sharedKey struct {
	what string // "ElementKeys" or "UserKeys", for errors
	id   uint16
	key  []byte
}

func sharedKeys(elements []ElementKey, users []UserKey) []sharedKey {
	var ks []sharedKey
	for _, k := range elements {
		ks = append(ks, sharedKey{"ElementKeys", k.ID, k.Key})
	}
	for _, k := range users {
		ks = append(ks, sharedKey{"UserKeys", k.ID, k.Key})
	}
	return ks
}

// validateKeys reports the first element or user key that cannot work.
func validateKeys(ks []sharedKey) error {
	seen := map[uint16]bool{}
	for _, k := range ks {
		switch {
		case k.id == 0:
			return fmt.Errorf("registrar: %s: key identifier 0 is the empty key; use 1 to 65535", k.what)
		case seen[k.id]:
			return fmt.Errorf("registrar: %s: key identifier %d appears twice", k.what, k.id)
		case len(k.key) < MinKeyLen:
			return fmt.Errorf("registrar: %s: key %d is shorter than %d bytes", k.what, k.id, MinKeyLen)
		}
		seen[k.id] = true
	}
	return nil
}

// keyedAuth returns the ASAP endpoint's configuration with SCTP-AUTH of
// DATA asked of every peer if there are keys: the registrar must know
// which key signed each message, to check registrations and to sign its
// answers with the peer's key.
func keyedAuth(cfg stack.Config, ks []sharedKey) stack.Config {
	if len(ks) == 0 {
		return cfg
	}
	return cfg.WithAuthenticatedData()
}

// installKeys gives ep the element and user keys, beside key 0, which
// stays active: a session signs with another key only once its peer did
// (signWith).
func installKeys(ep *stack.Endpoint, ks []sharedKey) {
	for _, k := range ks {
		ep.SetKey(k.id, k.key)
	}
}
