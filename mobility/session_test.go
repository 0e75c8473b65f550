package mobility

import (
	"encoding/binary"
	"errors"
	"maps"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestSessionCookieRoundTrip: a session cookie reads back as written,
// inside the ASAP message that carries it.
func TestSessionCookieRoundTrip(t *testing.T) {
	for _, m := range []sessionMsg{
		{kind: kindOpen, token: newToken(), pub: publicKey(newKeyPair()), delivered: counts{}},
		{kind: kindOpened, token: newToken(), pub: publicKey(newKeyPair()), delivered: counts{}},
		{kind: kindResume, token: newToken(), seq: 3, delivered: counts{1: 7, 9: 1 << 40}, mac: [macLen]byte{1, 2, 3}},
		{kind: kindResumed, token: newToken(), seq: 1 << 60, delivered: counts{2: 1}, mac: [macLen]byte{9}},
		{kind: kindCheckpoint, token: newToken(), delivered: counts{65535: 3}},
	} {
		var v wire.ASAPValue = &wire.CookieMessage{Cookie: m.append(nil)}
		if m.kind == kindOpen || m.kind == kindResume {
			v = &wire.CookieEcho{Cookie: m.append(nil)}
		}
		c, err := parseControl(wire.AppendASAP(nil, v))
		if err != nil {
			t.Fatalf("kind %d: %v", m.kind, err)
		}
		got := *c.session
		if got.kind != m.kind || got.token != m.token || got.pub != m.pub || got.seq != m.seq || got.mac != m.mac || !maps.Equal(got.delivered, m.delivered) {
			t.Errorf("read %+v, wrote %+v", got, m)
		}
	}
}

// TestSessionCookieMalformed: every malformed cookie is an error, never a
// panic, and a dialler's kind in an acceptor's message (or the reverse)
// is refused.
func TestSessionCookieMalformed(t *testing.T) {
	good := sessionMsg{kind: kindResume, token: newToken(), delivered: counts{1: 2, 3: 4}}.append(nil)
	entries := sessionHeaderLen + extLen(kindResume)
	bad := map[string][]byte{
		"short":         good[:sessionHeaderLen-1],
		"magic":         append([]byte("MOBX"), good[4:]...),
		"kind 0":        func() []byte { b := clone(good); b[4] = 0; return b }(),
		"kind 9":        func() []byte { b := clone(good); b[4] = 9; return b }(),
		"count too big": func() []byte { b := clone(good); binary.BigEndian.PutUint16(b[6:], 3); return b }(),
		"trailing":      append(clone(good), 0),
		"stream 0":      func() []byte { b := clone(good); binary.BigEndian.PutUint16(b[entries:], 0); return b }(),
		"duplicate": func() []byte {
			b := clone(good)
			copy(b[entries+sessionEntryLen:], b[entries:entries+2])
			return b
		}(),
		"no HMAC": good[:len(good)-macLen],
	}
	for name, b := range bad {
		if _, err := parseSession(b); !errors.Is(err, errSessionCookie) {
			t.Errorf("%s: %v, want %v", name, err, errSessionCookie)
		}
	}
	if _, err := parseControl(wire.AppendASAP(nil, &wire.CookieMessage{Cookie: good})); !errors.Is(err, errSessionCookie) {
		t.Errorf("a resumption in a Cookie: %v, want %v", err, errSessionCookie)
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// FuzzParseControl: the control stream's parser never panics, and what
// it accepts as a session cookie writes back the same.
func FuzzParseControl(f *testing.F) {
	f.Add(wire.AppendASAP(nil, &wire.CookieEcho{Cookie: sessionMsg{kind: kindResume, delivered: counts{1: 2}}.append(nil)}))
	f.Add(wire.AppendASAP(nil, &wire.BusinessCard{Handle: wire.PoolHandle("h")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseControl(b)
		if err != nil || c.session == nil {
			return
		}
		again, err := parseSession(c.session.append(nil))
		if err != nil || again.kind != c.session.kind || again.seq != c.session.seq || again.mac != c.session.mac || !maps.Equal(again.delivered, c.session.delivered) {
			t.Errorf("%+v does not read back: %+v, %v", c.session, again, err)
		}
	})
}
