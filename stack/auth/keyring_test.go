package auth_test

import (
	"errors"
	"testing"

	"github.com/mobisctp/mobisctp/stack/auth"
)

// TestKeyringRules checks set, activate and delete.
func TestKeyringRules(t *testing.T) {
	k := auth.NewKeyring()
	if k.Active() != 0 {
		t.Fatalf("a new keyring has key %d active", k.Active())
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"delete the active key 0", func() error { return k.Delete(0) }, auth.ErrKeyActive},
		{"activate a missing key", func() error { return k.Activate(5) }, auth.ErrNoKey},
		{"delete a missing key", func() error { return k.Delete(7) }, auth.ErrNoKey},
		{"activate key 5", func() error { k.Set(5, []byte("five")); return k.Activate(5) }, nil},
		{"delete key 0, now inactive", func() error { return k.Delete(0) }, nil},
		{"activate the deleted key 0", func() error { return k.Activate(0) }, auth.ErrNoKey},
		{"delete the active key 5", func() error { return k.Delete(5) }, auth.ErrKeyActive},
		{"replace the active key 5", func() error { k.Set(5, []byte("new five")); return nil }, nil},
		{"delete key 5 once 6 is active", func() error { k.Set(6, nil); _ = k.Activate(6); return k.Delete(5) }, nil},
	}
	for _, s := range steps {
		if err := s.do(); !errors.Is(err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
	}
	if k.Active() != 6 {
		t.Errorf("active key %d, want 6", k.Active())
	}
}

// TestKeyringClone checks that an association's copy is independent.
func TestKeyringClone(t *testing.T) {
	k := auth.NewKeyring()
	k.Set(1, []byte("one"))
	c := k.Clone()
	if err := c.Activate(1); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(1); err != nil {
		t.Fatalf("the endpoint cannot delete a key a clone has active: %v", err)
	}
	if k.Active() != 0 || c.Active() != 1 {
		t.Errorf("active keys %d and %d, want 0 and 1", k.Active(), c.Active())
	}
	if err := c.Delete(0); err != nil {
		t.Fatal(err)
	}
	if err := k.Activate(0); err != nil {
		t.Errorf("deleting key 0 from a clone removed it from the original: %v", err)
	}
}

// TestSessionKeys checks that sessions follow changes to their keyring:
// signing uses the active key, a replaced key is derived again, and a
// deleted key no longer verifies.
func TestSessionKeys(t *testing.T) {
	a, b := pair(auth.NewParams(nil), auth.NewParams(nil), auth.NewKeyring(), auth.NewKeyring())
	for _, s := range []*auth.Session{a, b} {
		s.Keys().Set(3, []byte("three"))
	}
	if err := a.Keys().Activate(3); err != nil {
		t.Fatal(err)
	}
	pkt, at := signedPacket(t, a, 50)
	if keyID := uint16(pkt[at+4])<<8 | uint16(pkt[at+5]); keyID != 3 {
		t.Fatalf("signed with key %d, want the active key 3", keyID)
	}
	if r := b.Verify(pkt[at:]); r != auth.Verified {
		t.Fatalf("Verify: %v", r)
	}

	b.Keys().Set(3, []byte("three, changed"))
	if r := b.Verify(pkt[at:]); r != auth.BadHMAC {
		t.Errorf("after the receiver replaced the key: %v, want %v", r, auth.BadHMAC)
	}
	a.Keys().Set(3, []byte("three, changed"))
	pkt, at = signedPacket(t, a, 50)
	if r := b.Verify(pkt[at:]); r != auth.Verified {
		t.Errorf("after both replaced the key: %v", r)
	}

	if err := b.Keys().Delete(3); err != nil {
		t.Fatal(err)
	}
	if r := b.Verify(pkt[at:]); r != auth.UnknownKey {
		t.Errorf("after the receiver deleted the key: %v, want %v", r, auth.UnknownKey)
	}
	if err := a.Keys().Activate(0); err != nil {
		t.Fatal(err)
	}
	if err := a.Keys().Delete(3); err != nil {
		t.Fatal(err)
	}
	if err := a.Sign(pkt[at:]); !errors.Is(err, auth.ErrNoKey) {
		t.Errorf("signing a chunk for a deleted key: %v, want %v", err, auth.ErrNoKey)
	}
}
