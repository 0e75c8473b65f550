package mobility

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
)

// A Conn's session state travels on stream 0 in ASAP Cookie and Cookie
// Echo messages (RFC 5352 sections 2.2.12-13, whose cookie is opaque to
// ASAP), the way RSPLIB resumes a session on a new association: the
// dialler opens the session with a Cookie Echo that names a random
// 128-bit token, and after a fallback presents the same token in a
// Cookie Echo on the new association; the acceptor answers that with a
// Cookie. Both ends checkpoint what they delivered in Cookies, which lets
// the sender forget what the peer has. The token names the session; what
// proves a continuation is the session key (session_key.go), which the
// opening exchanges with X25519 public keys. The cookie:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          'M' 'O' 'B' '2' (session cookie, version 2)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Kind      |   Reserved    |        Number of streams      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	|                        Token (16 bytes)                       |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:  Open, Opened: X25519 public key (32 bytes)                   :
//	:  Resume, Resumed: continuation counter (64 bits)              :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Stream             |           Reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Messages delivered on the stream (64 bits)          |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:           ... one stream entry per stream used ...            :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:  Resume, Resumed: HMAC-SHA-256 of all the above (32 bytes)    :
//
// Messages are numbered per stream: Conn sends every message ordered, so
// the n-th message a stream delivers is the n-th the peer sent on it, and
// the counts say exactly what to send again.

// Kinds of session cookies.
const (
	kindOpen       = 1 // Cookie Echo, dialler: a new session with this token; my public key
	kindResume     = 2 // Cookie Echo, dialler: continue the session; what I delivered (signed)
	kindResumed    = 3 // Cookie, acceptor: continued; what I delivered (signed)
	kindCheckpoint = 4 // Cookie, either end: what I delivered so far
	kindOpened     = 5 // Cookie, acceptor: opened; my public key
)

var sessionMagic = [4]byte{'M', 'O', 'B', '2'}

const (
	sessionHeaderLen = 24
	sessionEntryLen  = 12
	publicKeyLen     = 32 // X25519
	macLen           = 32 // HMAC-SHA-256
)

// token names a session. It travels in clear: it proves nothing.
type token [16]byte

func newToken() token {
	var t token
	rand.Read(t[:]) // never fails (crypto/rand)
	return t
}

// counts is the number of messages delivered per stream.
type counts map[uint16]uint64

// sessionMsg is a session cookie.
type sessionMsg struct {
	kind      uint8
	token     token
	pub       [publicKeyLen]byte // kindOpen, kindOpened
	seq       uint64             // kindResume, kindResumed
	delivered counts
	mac       [macLen]byte // kindResume, kindResumed
}

// extLen is the length of what a kind carries between the token and the
// stream entries.
func extLen(kind uint8) int {
	switch kind {
	case kindOpen, kindOpened:
		return publicKeyLen
	case kindResume, kindResumed:
		return 8
	}
	return 0
}

// signed reports whether a kind ends with an HMAC.
func signed(kind uint8) bool { return kind == kindResume || kind == kindResumed }

var errSessionCookie = errors.New("mobility: malformed session cookie")

// body appends the cookie without its HMAC: what the HMAC covers.
func (m sessionMsg) body(b []byte) []byte {
	b = append(b, sessionMagic[:]...)
	b = append(b, m.kind, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.delivered)))
	b = append(b, m.token[:]...)
	switch extLen(m.kind) {
	case publicKeyLen:
		b = append(b, m.pub[:]...)
	case 8:
		b = binary.BigEndian.AppendUint64(b, m.seq)
	}
	for _, s := range slices.Sorted(maps.Keys(m.delivered)) {
		b = binary.BigEndian.AppendUint16(b, s)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint64(b, m.delivered[s])
	}
	return b
}

func (m sessionMsg) append(b []byte) []byte {
	b = m.body(b)
	if signed(m.kind) {
		b = append(b, m.mac[:]...)
	}
	return b
}

func parseSession(b []byte) (sessionMsg, error) {
	if len(b) < sessionHeaderLen || [4]byte(b[:4]) != sessionMagic {
		return sessionMsg{}, errSessionCookie
	}
	m := sessionMsg{kind: b[4], token: token(b[8:24]), delivered: counts{}}
	n := int(binary.BigEndian.Uint16(b[6:8]))
	ext, trailer := extLen(m.kind), 0
	if signed(m.kind) {
		trailer = macLen
	}
	if m.kind < kindOpen || m.kind > kindOpened || len(b) != sessionHeaderLen+ext+n*sessionEntryLen+trailer {
		return sessionMsg{}, errSessionCookie
	}
	e := b[sessionHeaderLen:]
	switch ext {
	case publicKeyLen:
		m.pub = [publicKeyLen]byte(e)
	case 8:
		m.seq = binary.BigEndian.Uint64(e)
	}
	copy(m.mac[:], b[len(b)-trailer:])
	for e = e[ext : len(e)-trailer]; len(e) > 0; e = e[sessionEntryLen:] {
		s := binary.BigEndian.Uint16(e)
		if _, dup := m.delivered[s]; dup || s == controlStream {
			return sessionMsg{}, errSessionCookie
		}
		m.delivered[s] = binary.BigEndian.Uint64(e[4:])
	}
	return m, nil
}
