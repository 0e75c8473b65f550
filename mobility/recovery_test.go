package mobility

import "testing"

// TestParseRecovery: each Recovery reads back from its name; anything
// else is an error.
func TestParseRecovery(t *testing.T) {
	for _, r := range []Recovery{RecoverReattach, RecoverFailover} {
		if got, err := ParseRecovery(r.String()); err != nil || got != r {
			t.Errorf("%v: read %v, %v", r, got, err)
		}
	}
	if _, err := ParseRecovery("tunnel"); err == nil {
		t.Error("an unknown recovery was accepted")
	}
	if s := Recovery(7).String(); s != "recovery 7" {
		t.Errorf("unknown recovery named %q", s)
	}
}
