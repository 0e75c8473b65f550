package wire

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every *ParseError, so callers can test for bad
// input with errors.Is without caring about the details.
var ErrMalformed = errors.New("malformed")

// ParseError reports bad input: which field was wrong, where it starts, and
// why. Offset counts bytes from the start of the buffer handed to the decoder
// that failed (the packet for packet-level errors, the chunk for chunk
// decoders, the parameter for parameter decoders); iterators rebase the
// offsets of the items they return errors for.
type ParseError struct {
	Field  string // e.g. "chunk length" or "SACK.num_gap_blocks"
	Offset int    // byte offset of the field
	Reason string // what is wrong with it
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("sctp: malformed %s at offset %d: %s", e.Field, e.Offset, e.Reason)
}

// Unwrap makes every ParseError match ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

func errAt(field string, off int, reason string) *ParseError {
	return &ParseError{Field: field, Offset: off, Reason: reason}
}

// errShort reports that a field needs more bytes than are present.
func errShort(field string, off, need, have int) *ParseError {
	return &ParseError{Field: field, Offset: off, Reason: fmt.Sprintf("needs %d bytes, have %d", need, have)}
}

// Rebase returns err with its offset moved by base if it is a *ParseError,
// so an error found inside a chunk can be reported relative to its packet.
func Rebase(err error, base int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		c := *pe
		c.Offset += base
		return &c
	}
	return err
}
