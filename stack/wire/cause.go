package wire

import (
	"encoding/binary"
	"fmt"
)

// CauseCode identifies an error cause (RFC 9260 section 3.3.10).
type CauseCode uint16

// Error cause codes of RFC 9260 and of the extensions this package knows.
const (
	CauseInvalidStream             CauseCode = 1
	CauseMissingMandatoryParam     CauseCode = 2
	CauseStaleCookie               CauseCode = 3
	CauseOutOfResource             CauseCode = 4
	CauseUnresolvableAddress       CauseCode = 5
	CauseUnrecognizedChunk         CauseCode = 6
	CauseInvalidMandatoryParam     CauseCode = 7
	CauseUnrecognizedParams        CauseCode = 8
	CauseNoUserData                CauseCode = 9
	CauseCookieWhileShuttingDown   CauseCode = 10
	CauseRestartWithNewAddresses   CauseCode = 11
	CauseUserInitiatedAbort        CauseCode = 12
	CauseProtocolViolation         CauseCode = 13
	CauseDeleteLastAddress         CauseCode = 0x00A0 // RFC 5061
	CauseResourceShortage          CauseCode = 0x00A1 // RFC 5061
	CauseDeleteSourceAddress       CauseCode = 0x00A2 // RFC 5061
	CauseIllegalAsconfAck          CauseCode = 0x00A3 // RFC 5061
	CauseNoAuthorization           CauseCode = 0x00A4 // RFC 5061
	CauseUnsupportedHMACIdentifier CauseCode = 0x0105 // RFC 4895
)

var causeNames = map[CauseCode]string{
	CauseInvalidStream:             "Invalid Stream Identifier",
	CauseMissingMandatoryParam:     "Missing Mandatory Parameter",
	CauseStaleCookie:               "Stale Cookie Error",
	CauseOutOfResource:             "Out of Resource",
	CauseUnresolvableAddress:       "Unresolvable Address",
	CauseUnrecognizedChunk:         "Unrecognized Chunk Type",
	CauseInvalidMandatoryParam:     "Invalid Mandatory Parameter",
	CauseUnrecognizedParams:        "Unrecognized Parameters",
	CauseNoUserData:                "No User Data",
	CauseCookieWhileShuttingDown:   "Cookie Received While Shutting Down",
	CauseRestartWithNewAddresses:   "Restart of an Association with New Addresses",
	CauseUserInitiatedAbort:        "User-Initiated Abort",
	CauseProtocolViolation:         "Protocol Violation",
	CauseDeleteLastAddress:         "Request to Delete Last Remaining IP Address",
	CauseResourceShortage:          "Operation Refused Due to Resource Shortage",
	CauseDeleteSourceAddress:       "Request to Delete Source IP Address",
	CauseIllegalAsconfAck:          "Association Aborted Due to Illegal ASCONF-ACK",
	CauseNoAuthorization:           "Request Refused - No Authorization",
	CauseUnsupportedHMACIdentifier: "Unsupported HMAC Identifier",
}

func (c CauseCode) String() string {
	if s, ok := causeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("cause code %#04x", uint16(c))
}

// Known reports whether this package decodes causes with code c.
func (c CauseCode) Known() bool {
	_, ok := causeNames[c]
	return ok
}

// Cause is a view of one error cause: header and value, without padding.
type Cause []byte

// Code returns the cause code.
func (c Cause) Code() CauseCode { return CauseCode(binary.BigEndian.Uint16(c)) }

// Len returns the cause length field, which equals len(c).
func (c Cause) Len() int { return int(binary.BigEndian.Uint16(c[2:])) }

// Value returns the cause-specific information.
func (c Cause) Value() []byte { return c[tlvHeaderLen:] }

// ParseCause returns the error cause at the start of b.
func ParseCause(b []byte) (Cause, error) {
	t, err := parseTLV(b, "error cause")
	return Cause(t), err
}

// Causes is a view of a list of error causes, as carried by ABORT, ERROR and
// the RFC 5061 Error Cause Indication parameter.
type Causes []byte

// Iter returns an iterator over the list.
func (cs Causes) Iter() CauseIter {
	return CauseIter{tlvIter{buf: cs, what: "error cause"}}
}

// Validate checks the structure of the list; base is added to error offsets.
func (cs Causes) Validate(base int) error { return validateTLVs(cs, "error cause", base) }

// parseCauseList validates b as a cause list and returns it without padding
// after the last cause (see [tlvListEnd]); base is as for Validate.
func parseCauseList(b []byte, base int) (Causes, error) {
	n, err := tlvListEnd(b, "error cause", base)
	if err != nil {
		return nil, err
	}
	return Causes(b[:n]), nil
}

// CauseIter walks a list of error causes.
type CauseIter struct{ it tlvIter }

// Next returns the next cause, or false at the end or on error.
func (it *CauseIter) Next() (Cause, bool) {
	t, ok := it.it.next()
	return Cause(t), ok
}

// Err returns the error that stopped the iteration, if any.
func (it *CauseIter) Err() error { return it.it.err }

// CauseValue is a typed error cause that can be appended to a list.
type CauseValue interface {
	// CauseCode returns the code written in the cause header.
	CauseCode() CauseCode
	// AppendValue appends the cause-specific information.
	AppendValue(b []byte) []byte
}

// AppendCause appends v to the cause list cs, padding the previous cause.
func AppendCause(cs Causes, v CauseValue) Causes {
	return appendTLV(cs, uint16(v.CauseCode()), v.AppendValue)
}

// RawCause is an error cause kept as bytes.
type RawCause struct {
	Code  CauseCode
	Value []byte
}

// Decode fills r from c; Value aliases c.
func (r *RawCause) Decode(c Cause) error {
	*r = RawCause{Code: c.Code(), Value: c.Value()}
	return nil
}

// CauseCode implements CauseValue.
func (r *RawCause) CauseCode() CauseCode { return r.Code }

// AppendValue implements CauseValue.
func (r *RawCause) AppendValue(b []byte) []byte { return append(b, r.Value...) }

// expectCause checks the code and minimum value length of c for the typed
// decoders.
func expectCause(c Cause, code CauseCode, minValue int) error {
	if len(c) < tlvHeaderLen {
		return errShort("error cause header", 0, tlvHeaderLen, len(c))
	}
	if c.Code() != code {
		return errAt("cause code", 0, fmt.Sprintf("%s, want %s", c.Code(), code))
	}
	if len(c.Value()) < minValue {
		return errShort(code.String()+" value", tlvHeaderLen, minValue, len(c.Value()))
	}
	return nil
}

// expectCauseExact is expectCause for fixed-size causes.
func expectCauseExact(c Cause, code CauseCode, valueLen int) error {
	if err := expectCause(c, code, valueLen); err != nil {
		return err
	}
	if len(c.Value()) != valueLen {
		return errAt(code.String()+" length", 2, fmt.Sprintf("%d, want %d", c.Len(), tlvHeaderLen+valueLen))
	}
	return nil
}
