package mobility

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/stack"
)

// keyedPair returns the session keys both ends derive from one opening.
func keyedPair(t *testing.T, tok token) (dialler, acceptor []byte) {
	t.Helper()
	d, a := newKeyPair(), newKeyPair()
	dk, err := deriveKey(d, publicKey(a), tok)
	if err != nil {
		t.Fatal(err)
	}
	ak, err := deriveKey(a, publicKey(d), tok)
	if err != nil {
		t.Fatal(err)
	}
	return dk, ak
}

// TestSessionKeyAgreement: both ends of an opening derive the same key,
// another opening (or token) another one, and a public key of low order
// (which would make the shared secret predictable) is refused.
func TestSessionKeyAgreement(t *testing.T) {
	tok := newToken()
	dk, ak := keyedPair(t, tok)
	if !bytes.Equal(dk, ak) || len(dk) != 32 {
		t.Fatalf("dialler's key %x, acceptor's %x: want the same 32 bytes", dk, ak)
	}
	if other, _ := keyedPair(t, tok); bytes.Equal(other, dk) {
		t.Error("two openings gave the same key")
	}
	if _, err := deriveKey(newKeyPair(), [publicKeyLen]byte{}, tok); err == nil {
		t.Error("the all-zero public key (low order) was accepted")
	}
}

// TestSessionProof: a continuation proves itself only with the session
// key and its own bytes: another key, or any changed field, fails; an
// acceptor takes each counter once and only rising (a replay is refused).
func TestSessionProof(t *testing.T) {
	tok := newToken()
	key, _ := keyedPair(t, tok)
	signedBy := func(k []byte, seq uint64, delivered counts) sessionMsg {
		m := sessionMsg{kind: kindResume, token: tok, seq: seq, delivered: delivered}
		m.sign(k)
		return m
	}
	m := signedBy(key, 1, counts{1: 5})
	if !m.provenBy(key) {
		t.Fatal("a continuation signed with the key is not proven by it")
	}
	wrongKey, _ := keyedPair(t, tok)
	tampered := m
	tampered.delivered = counts{1: 4}
	for name, bad := range map[string]sessionMsg{
		"another key":       signedBy(wrongKey, 1, counts{1: 5}),
		"changed counts":    tampered,
		"changed counter":   func() sessionMsg { x := m; x.seq = 2; return x }(),
		"changed token":     func() sessionMsg { x := m; x.token[0] ^= 1; return x }(),
		"unsigned":          {kind: kindResume, token: tok, seq: 1, delivered: counts{1: 5}},
		"answer for resume": func() sessionMsg { x := m; x.kind = kindResumed; return x }(),
	} {
		if bad.provenBy(key) {
			t.Errorf("%s: proven", name)
		}
	}
	if m.provenBy(nil) {
		t.Error("proven without a key")
	}

	c := &Conn{token: tok, key: key}
	if err := c.acceptResume(m); err != nil {
		t.Fatalf("first continuation: %v", err)
	}
	if err := c.acceptResume(m); !errors.Is(err, ErrSessionProof) {
		t.Errorf("replayed continuation: %v, want %v", err, ErrSessionProof)
	}
	if err := c.acceptResume(signedBy(key, 3, nil)); err != nil {
		t.Errorf("continuation 3 after 1: %v", err)
	}
	if err := c.acceptResume(signedBy(key, 2, nil)); !errors.Is(err, ErrSessionProof) {
		t.Errorf("continuation 2 after 3: %v, want %v", err, ErrSessionProof)
	}
}

// TestResumeAnswerMustProveItself: a dialler continuing its session over
// a new association goes on only if the answer proves the session key.
// X, which took the session's continuation (as a node that registered
// under the peer's handle could), answers it with the right token and
// counter but signed with a key of its own: the failover fails with
// ErrSessionProof, and X is sent no message again.
func TestResumeAnswerMustProveItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		a, ca, _, _ := dialPair(t, w, "node-a")
		xAddr := netip.MustParseAddr("203.0.113.9")
		x, err := stack.NewEndpoint(simConfig(w.n.AddHost("X", xAddr), xAddr, 7002))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		x.Listen()
		data := make(chan []byte, 16) // what X gets besides the continuation
		go impostor(t, x, data)

		xa, err := a.Endpoint().Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{xAddr}, Port: 7002, UDPPort: 7002})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ca.resume(t.Context(), xa); !errors.Is(err, ErrSessionProof) {
			t.Errorf("continuing with an impostor: %v, want %v", err, ErrSessionProof)
		}
		synctest.Wait()
		for len(data) > 0 {
			t.Errorf("the impostor was sent %q", <-data)
		}
	})
}

// impostor accepts one association on x and answers a continuation with a
// Resumed signed with a key of its own; it passes every other message to
// data, which it closes when the association ends.
func impostor(t *testing.T, x *stack.Endpoint, data chan<- []byte) {
	defer close(data)
	xa, err := x.Accept(t.Context())
	if err != nil {
		return
	}
	buf := make([]byte, 64<<10)
	for {
		n, info, err := xa.RecvMsg(t.Context(), buf)
		if err != nil {
			return
		}
		c, err := parseControl(buf[:n])
		if info.Stream != controlStream || err != nil || c.session == nil {
			data <- bytes.Clone(buf[:n])
			continue
		}
		if c.session.kind == kindResume {
			ans := sessionMsg{kind: kindResumed, token: c.session.token, seq: c.session.seq, delivered: counts{}}
			ans.sign(bytes.Repeat([]byte{0x66}, 32))
			_ = sendSession(t.Context(), xa, ans)
		}
	}
}
