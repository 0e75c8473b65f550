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

// validateKeys reports the first element key that cannot work.
func validateKeys(keys []ElementKey) error {
	seen := map[uint16]bool{}
	for _, k := range keys {
		switch {
		case k.ID == 0:
			return fmt.Errorf("registrar: ElementKeys: key identifier 0 is the empty key; use 1 to 65535")
		case seen[k.ID]:
			return fmt.Errorf("registrar: ElementKeys: key identifier %d appears twice", k.ID)
		case len(k.Key) < MinKeyLen:
			return fmt.Errorf("registrar: ElementKeys: key %d is shorter than %d bytes", k.ID, MinKeyLen)
		}
		seen[k.ID] = true
	}
	return nil
}

// elementAuth returns the ASAP endpoint's configuration with SCTP-AUTH of
// DATA asked of every peer, if element keys are configured.
func elementAuth(cfg stack.Config, keys []ElementKey) stack.Config {
	if len(keys) == 0 {
		return cfg
	}
	return cfg.WithAuthenticatedData()
}

// installElementKeys gives ep the element keys, beside key 0, which
// stays active: the registrar signs with the empty key, since a pool
// user has no other.
func installElementKeys(ep *stack.Endpoint, keys []ElementKey) {
	for _, k := range keys {
		ep.SetKey(k.ID, k.Key)
	}
}
