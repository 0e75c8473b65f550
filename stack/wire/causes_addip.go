package wire

// RFC 5061 error causes 0x00A0 to 0x00A4 (section 4.3): Request to Delete
// Last Remaining IP Address, Operation Refused Due to Resource Shortage,
// Request to Delete Source IP Address, Association Aborted Due to Illegal
// ASCONF-ACK and Request Refused - No Authorization. Each carries the
// request parameter it answers:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Cause Code = 0x00A0-A4     |     Cause Length = Variable   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	\                                                               \
//	/                    TLV Copied From ASCONF                     /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "fmt"

// AsconfCause is one of the five RFC 5061 error causes, told apart by Code.
// Request is the ASCONF parameter the cause answers, aliasing the decoded
// cause. It may be empty: an ABORT for an illegal ASCONF-ACK has no request
// to copy, and Linux sends that cause with no value.
type AsconfCause struct {
	Code    CauseCode // CauseDeleteLastAddress through CauseNoAuthorization
	Request Param
}

// CauseCode implements CauseValue.
func (a *AsconfCause) CauseCode() CauseCode { return a.Code }

// AppendValue implements CauseValue.
func (a *AsconfCause) AppendValue(b []byte) []byte { return append(b, a.Request...) }

// Decode fills a from c. A value, if present, must be exactly one
// parameter, optionally with its padding counted.
func (a *AsconfCause) Decode(c Cause) error {
	if len(c) < tlvHeaderLen {
		return errShort("error cause header", 0, tlvHeaderLen, len(c))
	}
	code := c.Code()
	if code < CauseDeleteLastAddress || code > CauseNoAuthorization {
		return errAt("cause code", 0, fmt.Sprintf("%s, want one of RFC 5061's %#04x to %#04x", code, uint16(CauseDeleteLastAddress), uint16(CauseNoAuthorization)))
	}
	var req Param
	if len(c.Value()) > 0 {
		var err error
		if req, err = nestedParam(c.Value(), tlvHeaderLen, code.String()); err != nil {
			return err
		}
	}
	*a = AsconfCause{Code: code, Request: req}
	return nil
}
