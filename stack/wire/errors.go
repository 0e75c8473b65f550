package wire

import "github.com/mobisctp/mobisctp/internal/wireerr"

// ErrMalformed is wrapped by every *ParseError, so callers can test for bad
// input with errors.Is without caring about the details.
var ErrMalformed = wireerr.ErrMalformed

// ParseError reports bad input: which field was wrong, where it starts, and
// why. Offset counts bytes from the start of the buffer handed to the
// decoder that failed (the packet for packet-level errors, the chunk for
// chunk decoders, the parameter for parameter decoders); iterators rebase
// the offsets of the items they return errors for.
type ParseError = wireerr.ParseError

func errAt(field string, off int, reason string) *ParseError {
	return &ParseError{Protocol: "sctp", Field: field, Offset: off, Reason: reason}
}

// errShort reports that a field needs more bytes than are present.
func errShort(field string, off, need, have int) *ParseError {
	return wireerr.Short("sctp", field, off, need, have)
}

// Rebase returns err with its offset moved by base if it is a *ParseError,
// so an error found inside a chunk can be reported relative to its packet.
func Rebase(err error, base int) error { return wireerr.Rebase(err, base) }
