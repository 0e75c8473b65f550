package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// asconfFixedLen is what precedes the parameters of ASCONF and ASCONF-ACK:
// the Sequence Number (RFC 5061 sections 3.1.1 and 3.1.2).
const asconfFixedLen = 4

// paramLengthViolation aborts the association, with a Protocol Violation
// cause, if the parameters of an ASCONF or ASCONF-ACK (authenticated by
// now) are not a well-formed list, a zero-length parameter say; it
// reports whether it did. Linux answers the same way
// (sctp_sf_violation_paramlen).
func (a *Association) paramLengthViolation(now time.Time, c wire.Chunk) bool {
	v := c.Value()
	if len(v) >= asconfFixedLen && wire.Params(v[asconfFixedLen:]).Validate(0) == nil {
		return false
	}
	a.stats.MalformedChunks++
	info := "invalid parameter length in " + c.Type().String()
	a.abortWith(now, &wire.ProtocolViolationCause{Info: []byte(info)}, errProtocolViolation)
	return true
}
