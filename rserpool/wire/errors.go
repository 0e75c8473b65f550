package wire

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every *ParseError, so callers can test for bad
// input with errors.Is without caring about the details.
var ErrMalformed = errors.New("malformed")

// ParseError reports bad input: which field was wrong, where it starts, and
// why. Offset counts bytes from the start of the message for errors returned
// by message decoders, and from the start of the parameter for errors
// returned by the Decode methods of parameters.
type ParseError struct {
	Field  string // e.g. "message length" or "Pool Handle parameter"
	Offset int    // byte offset of the field
	Reason string // what is wrong with it
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("rserpool: malformed %s at offset %d: %s", e.Field, e.Offset, e.Reason)
}

// Unwrap makes every ParseError match ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

func errAt(field string, off int, reason string) *ParseError {
	return &ParseError{Field: field, Offset: off, Reason: reason}
}

// errShort reports that a field needs more bytes than are present.
func errShort(field string, off, need, have int) *ParseError {
	return errAt(field, off, fmt.Sprintf("needs %d bytes, have %d", need, have))
}

// rebase moves the offset of a *ParseError found inside an item that starts
// at base, so that it counts from the start of the enclosing item.
func rebase(err error, base int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		c := *pe
		c.Offset += base
		return &c
	}
	return err
}
