package wire

import "github.com/mobisctp/mobisctp/internal/wireerr"

// ErrMalformed is wrapped by every *ParseError, so callers can test for bad
// input with errors.Is without caring about the details.
var ErrMalformed = wireerr.ErrMalformed

// ParseError reports bad input: which field was wrong, where it starts, and
// why. Offset counts bytes from the start of the message for errors returned
// by message decoders, and from the start of the parameter for errors
// returned by the Decode methods of parameters.
type ParseError = wireerr.ParseError

func errAt(field string, off int, reason string) *ParseError {
	return &ParseError{Protocol: "rserpool", Field: field, Offset: off, Reason: reason}
}

// errShort reports that a field needs more bytes than are present.
func errShort(field string, off, need, have int) *ParseError {
	return wireerr.Short("rserpool", field, off, need, have)
}

// rebase moves the offset of a *ParseError found inside an item that starts
// at base, so that it counts from the start of the enclosing item.
func rebase(err error, base int) error { return wireerr.Rebase(err, base) }
