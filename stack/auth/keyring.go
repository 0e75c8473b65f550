package auth

import (
	"bytes"
	"errors"
	"maps"
)

// Errors of [Keyring] and [Session.Sign].
var (
	ErrNoKey     = errors.New("auth: no shared key with this identifier")
	ErrKeyActive = errors.New("auth: the active shared key cannot be deleted")
)

// Keyring holds the endpoint-pair shared keys by Shared Key Identifier
// (RFC 4895 section 6.1) and which of them is active, that is, used to
// sign. Make one with [NewKeyring]: it starts with key 0, the empty key,
// active, since with no configured keys RFC 4895 section 6.2 has the
// sender use identifier 0 with an empty key.
//
// The endpoint owns a Keyring and gives each new association a
// [Keyring.Clone]; a Keyring is not safe for concurrent use. Key bytes are
// shared between clones and never modified.
type Keyring struct {
	keys   map[uint16]*sharedKey
	active uint16
}

// sharedKey is one endpoint-pair shared key. Replacing a key makes a new
// sharedKey, so a Session tells a stale derived key by pointer.
type sharedKey struct{ b []byte }

// NewKeyring returns a keyring holding the empty key 0, active.
func NewKeyring() *Keyring {
	return &Keyring{keys: map[uint16]*sharedKey{0: {}}}
}

// Set adds the key with identifier id, replacing any key with that
// identifier (the active one too). The key is copied.
func (k *Keyring) Set(id uint16, key []byte) {
	k.keys[id] = &sharedKey{bytes.Clone(key)}
}

// Activate makes the key with identifier id the one used to sign. It
// returns [ErrNoKey] if there is no such key.
func (k *Keyring) Activate(id uint16) error {
	if _, ok := k.keys[id]; !ok {
		return ErrNoKey
	}
	k.active = id
	return nil
}

// Delete removes the key with identifier id, key 0 included. Received
// packets signed with it no longer verify. The active key cannot be
// deleted ([ErrKeyActive]): activate another one first, as the SCTP
// socket API (RFC 6458 section 8.3.5) requires.
func (k *Keyring) Delete(id uint16) error {
	if _, ok := k.keys[id]; !ok {
		return ErrNoKey
	}
	if id == k.active {
		return ErrKeyActive
	}
	delete(k.keys, id)
	return nil
}

// Active returns the identifier of the key used to sign.
func (k *Keyring) Active() uint16 { return k.active }

// Clone returns a copy of the keyring whose changes do not affect k.
func (k *Keyring) Clone() *Keyring {
	return &Keyring{keys: maps.Clone(k.keys), active: k.active}
}
