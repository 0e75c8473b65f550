package config

import (
	"testing"
	"time"
)

func TestDefault(t *testing.T) {
	n, d := 0, 3*time.Second
	Default(&n, 7)
	Default(&d, time.Second)
	if n != 7 || d != 3*time.Second {
		t.Errorf("got %d and %v, want 7 (zero replaced) and 3s (kept)", n, d)
	}
}

func TestValidate(t *testing.T) {
	if err := Validate("x", Check{false, "A", "fine"}); err != nil {
		t.Errorf("no broken check: %v", err)
	}
	err := Validate("sctp", Check{false, "A", "fine"}, Check{true, "PMTU", "must be at least 576"}, Check{true, "B", "later"})
	if err == nil || err.Error() != "sctp: config PMTU must be at least 576" {
		t.Errorf("got %v, want the first broken check named", err)
	}
}
