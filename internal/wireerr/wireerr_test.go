package wireerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseError(t *testing.T) {
	err := error(Short("sctp", "chunk header", 12, 4, 2))
	if got, want := err.Error(), "sctp: malformed chunk header at offset 12: needs 4 bytes, have 2"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("decoding: %w", Rebase(err, 100))
	var pe *ParseError
	if !errors.As(wrapped, &pe) || pe.Offset != 112 || !errors.Is(wrapped, ErrMalformed) {
		t.Errorf("rebased error %v: offset %v", wrapped, pe)
	}
	if e, ok := err.(*ParseError); !ok || e.Offset != 12 {
		t.Error("Rebase changed the original error")
	}
	other := errors.New("other")
	if Rebase(other, 5) != other {
		t.Error("Rebase changed a foreign error")
	}
}
