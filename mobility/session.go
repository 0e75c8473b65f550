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
// the sender forget what the peer has. The cookie:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          'M' 'O' 'B' 'S' (session cookie, version 1)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Kind      |   Reserved    |        Number of streams      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	|                        Token (16 bytes)                       |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Stream             |           Reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Messages delivered on the stream (64 bits)          |
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:           ... one stream entry per stream used ...            :
//
// Messages are numbered per stream: Conn sends every message ordered, so
// the n-th message a stream delivers is the n-th the peer sent on it, and
// the counts say exactly what to send again.

// Kinds of session cookies.
const (
	kindOpen       = 1 // Cookie Echo, dialler: a new session with this token
	kindResume     = 2 // Cookie Echo, dialler: continue the session; what I delivered
	kindResumed    = 3 // Cookie, acceptor: continued; what I delivered
	kindCheckpoint = 4 // Cookie, either end: what I delivered so far
)

var sessionMagic = [4]byte{'M', 'O', 'B', 'S'}

const (
	sessionHeaderLen = 24
	sessionEntryLen  = 12
)

// token names a session; only the two ends know it.
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
	delivered counts
}

var errSessionCookie = errors.New("mobility: malformed session cookie")

func (m sessionMsg) append(b []byte) []byte {
	b = append(b, sessionMagic[:]...)
	b = append(b, m.kind, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.delivered)))
	b = append(b, m.token[:]...)
	for _, s := range slices.Sorted(maps.Keys(m.delivered)) {
		b = binary.BigEndian.AppendUint16(b, s)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint64(b, m.delivered[s])
	}
	return b
}

func parseSession(b []byte) (sessionMsg, error) {
	if len(b) < sessionHeaderLen || [4]byte(b[:4]) != sessionMagic {
		return sessionMsg{}, errSessionCookie
	}
	m := sessionMsg{kind: b[4], token: token(b[8:24]), delivered: counts{}}
	n := int(binary.BigEndian.Uint16(b[6:8]))
	if m.kind < kindOpen || m.kind > kindCheckpoint || len(b) != sessionHeaderLen+n*sessionEntryLen {
		return sessionMsg{}, errSessionCookie
	}
	for e := b[sessionHeaderLen:]; len(e) > 0; e = e[sessionEntryLen:] {
		s := binary.BigEndian.Uint16(e)
		if _, dup := m.delivered[s]; dup || s == controlStream {
			return sessionMsg{}, errSessionCookie
		}
		m.delivered[s] = binary.BigEndian.Uint64(e[4:])
	}
	return m, nil
}
