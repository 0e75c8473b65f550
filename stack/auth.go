package stack

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// SCTP-AUTH (RFC 4895) in the endpoint and its associations. The
// endpoint holds the endpoint-pair shared keys; each association derives
// its keys from both sides' RANDOM, CHUNKS and HMAC-ALGO parameters.

// newAuthParams returns fresh AUTH parameters for an INIT or INIT ACK, or
// nil when SCTP-AUTH is off.
func (ep *Endpoint) newAuthParams() *auth.Params {
	if ep.cfg.DisableAuth {
		return nil
	}
	return auth.NewParams(ep.cfg.AuthChunks)
}

// checkPeerAuth returns the cause to abort an INIT with whose AUTH
// parameters are invalid (RFC 4895 section 6.1: a RANDOM that is not 32
// bytes, no SHA-1 among the HMACs), so that no cookie is handed out for
// an association that could never be set up.
func (ep *Endpoint) checkPeerAuth(ps wire.Params) wire.CauseValue {
	if ep.cfg.DisableAuth {
		return nil
	}
	_, cause := peerAuthParams(ps)
	return cause
}

// peerAuthParams reads the peer's AUTH parameters: nil if it does not do
// SCTP-AUTH, a cause to abort with if they are invalid.
func peerAuthParams(ps wire.Params) (*auth.Params, wire.CauseValue) {
	p, err := auth.ParseParams(ps)
	switch {
	case errors.Is(err, auth.ErrNotSupported):
		return nil, nil
	case err != nil:
		return nil, &wire.ProtocolViolationCause{Info: []byte(err.Error())}
	}
	return p, nil
}

// WithAuthenticatedData returns c with SCTP-AUTH on and DATA and I-DATA
// among the chunks every peer must authenticate, for endpoints that need
// to know which key signed each message (RecvInfo.KeyID).
func (c Config) WithAuthenticatedData() Config {
	c.DisableAuth = false
	c.AuthChunks = append(slices.Clip(c.AuthChunks), wire.TypeData, wire.TypeIData)
	return c
}

// AuthRequired reports whether the endpoint asks its peers to
// authenticate chunks of type t (Config.AuthChunks).
func (ep *Endpoint) AuthRequired(t wire.ChunkType) bool {
	return !ep.cfg.DisableAuth && slices.Contains(ep.cfg.AuthChunks, t)
}

// SetKey adds or replaces the endpoint-pair shared key id, for
// associations set up from now on (Association.SetKey changes a running
// one).
func (ep *Endpoint) SetKey(id uint16, key []byte) {
	ep.keyMu.Lock()
	defer ep.keyMu.Unlock()
	ep.keys.Set(id, key)
}

// ActivateKey makes key id the one new associations sign with.
func (ep *Endpoint) ActivateKey(id uint16) error {
	ep.keyMu.Lock()
	defer ep.keyMu.Unlock()
	return ep.keys.Activate(id)
}

// DeleteKey removes key id; the active key cannot be deleted.
func (ep *Endpoint) DeleteKey(id uint16) error {
	ep.keyMu.Lock()
	defer ep.keyMu.Unlock()
	return ep.keys.Delete(id)
}

// keyring returns a copy of the endpoint's keys for a new association.
func (ep *Endpoint) keyring() *auth.Keyring {
	ep.keyMu.Lock()
	defer ep.keyMu.Unlock()
	return ep.keys.Clone()
}

// SetKey adds or replaces the association's shared key id.
func (a *Association) SetKey(id uint16, key []byte) error {
	return a.withKeys(func(k *auth.Keyring) error { k.Set(id, key); return nil })
}

// ActivateKey makes key id the one the association signs with.
func (a *Association) ActivateKey(id uint16) error {
	return a.withKeys(func(k *auth.Keyring) error { return k.Activate(id) })
}

// DeleteKey removes the association's key id.
func (a *Association) DeleteKey(id uint16) error {
	return a.withKeys(func(k *auth.Keyring) error { return k.Delete(id) })
}

func (a *Association) withKeys(f func(*auth.Keyring) error) error {
	err := ErrNoAuth
	if !a.exec(func(time.Time) {
		if a.auth != nil {
			err = f(a.auth.Keys())
		}
	}) {
		return ErrClosed
	}
	return err
}

// setupAuth makes the association's AUTH session from our parameters and
// the peer's INIT or INIT ACK parameters. It returns the cause to abort
// with if the peer's parameters are invalid; a peer without them does not
// do SCTP-AUTH, and the association runs without.
func (a *Association) setupAuth(local *auth.Params, peer wire.Params) wire.CauseValue {
	a.auth = nil
	if local == nil {
		return nil
	}
	pp, cause := peerAuthParams(peer)
	if pp != nil {
		a.auth = auth.NewSession(local, pp, a.ep.keyring())
	}
	return cause
}

// authCheck follows one packet's AUTH state while its chunks are
// processed: chunks the peer must authenticate are accepted only after an
// AUTH chunk that verified (RFC 4895 section 6.3).
type authCheck struct {
	seen bool
	tag  keyTag // set once an AUTH chunk verified
}

// verify checks the packet's first AUTH chunk, at off in pkt; it returns
// false if the rest of the packet must be dropped.
func (a *Association) verify(now time.Time, ac *authCheck, rp *rxPacket, off int, c wire.Chunk) bool {
	if ac.seen {
		return true // only the first AUTH chunk of a packet counts
	}
	ac.seen = true
	switch res := a.auth.Verify(rp.data[off:]); res {
	case auth.Verified:
		ac.tag = keyTag{ok: true, id: binary.BigEndian.Uint16(c[4:])} // Verify checked the length
		return true
	case auth.Malformed:
		a.stats.AuthFailures++
		a.abortWith(now, &wire.ProtocolViolationCause{Info: []byte("AUTH chunk length does not fit its HMAC")}, errProtocolViolation)
		return false
	case auth.UnsupportedHMAC:
		var ch wire.Auth
		if ch.Decode(c) == nil {
			a.reply(errorChunk(&wire.UnsupportedHMACCause{ID: ch.HMACID}), rp)
		}
	}
	a.stats.AuthFailures++
	return false
}

// mustDrop reports whether chunk type t arrived without the authentication
// we require for it.
func (a *Association) mustDrop(ac *authCheck, t wire.ChunkType) bool {
	if a.auth == nil || ac.tag.ok || !a.auth.RecvNeedsAuth(t) {
		return false
	}
	a.stats.Unauthenticated++
	return true
}

// keyTag says which endpoint-pair shared key authenticated a received
// chunk or message, if any did.
type keyTag struct {
	ok bool
	id uint16
}

// join returns the tag of a message made of chunks tagged t and u: it is
// authenticated only if both are, with the same key.
func (t keyTag) join(u keyTag) keyTag {
	if t != u {
		return keyTag{}
	}
	return t
}
