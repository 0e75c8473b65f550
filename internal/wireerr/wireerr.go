// Package wireerr is the error type of the wire codecs (stack/wire and
// rserpool/wire): what was malformed, where, and why.
package wireerr

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every *ParseError, so callers can test for bad
// input with errors.Is without caring about the details.
var ErrMalformed = errors.New("malformed")

// ParseError reports bad input: which field was wrong, where it starts, and
// why. Offset counts bytes from the start of the item the decoder that
// failed was given; Rebase moves it to an enclosing item.
type ParseError struct {
	Protocol string // "sctp" or "rserpool"
	Field    string // e.g. "chunk length" or "Pool Handle parameter"
	Offset   int    // byte offset of the field
	Reason   string // what is wrong with it
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: malformed %s at offset %d: %s", e.Protocol, e.Field, e.Offset, e.Reason)
}

// Unwrap makes every ParseError match ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

// Short reports that a field needs more bytes than are present.
func Short(protocol, field string, off, need, have int) *ParseError {
	return &ParseError{Protocol: protocol, Field: field, Offset: off, Reason: fmt.Sprintf("needs %d bytes, have %d", need, have)}
}

// Rebase returns err with its offset moved by base if it is a
// *ParseError, so an error found inside an item can be reported relative
// to the item that encloses it.
func Rebase(err error, base int) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		c := *pe
		c.Offset += base
		return &c
	}
	return err
}
