package wire

// The Operation Error parameter (RFC 5354) carries one or more error causes
// (RFC 5352), each a TLV of its own that is padded like a parameter.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0c           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                    Error Cause #1 ... #n                      :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Cause Code           |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:             Cause-Specific Information, padded                :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "fmt"

// CauseCode identifies an error cause (RFC 5352).
type CauseCode uint16

// Error cause codes of RFC 5352. The comment says what the cause-specific
// information holds, if anything.
const (
	CauseUnspecified             CauseCode = 0x0
	CauseUnrecognizedParameter   CauseCode = 0x1 // the parameter
	CauseUnrecognizedMessage     CauseCode = 0x2 // the message
	CauseInvalidValues           CauseCode = 0x3 // the parameter
	CauseNonUniquePEID           CauseCode = 0x4
	CauseInconsistentPolicy      CauseCode = 0x5 // the policy parameter
	CauseLackOfResources         CauseCode = 0x6
	CauseInconsistentTransport   CauseCode = 0x7 // the transport parameter
	CauseInconsistentDataControl CauseCode = 0x8
	CauseUnknownPoolHandle       CauseCode = 0x9
	CauseRejectedSecurity        CauseCode = 0xa
)

var causeNames = [...]string{
	CauseUnspecified:             "Unspecified Error",
	CauseUnrecognizedParameter:   "Unrecognized Parameter",
	CauseUnrecognizedMessage:     "Unrecognized Message",
	CauseInvalidValues:           "Invalid Values",
	CauseNonUniquePEID:           "Non-Unique PE Identifier",
	CauseInconsistentPolicy:      "Inconsistent Pooling Policy",
	CauseLackOfResources:         "Lack of Resources",
	CauseInconsistentTransport:   "Inconsistent Transport Type",
	CauseInconsistentDataControl: "Inconsistent Data/Control Configuration",
	CauseUnknownPoolHandle:       "Unknown Pool Handle",
	CauseRejectedSecurity:        "Rejection Due to Security Considerations",
}

func (c CauseCode) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return fmt.Sprintf("cause code %#04x", uint16(c))
}

// Cause is one error cause. A decoded Info aliases the message.
type Cause struct {
	Code CauseCode
	Info []byte
}

// OperationError is the Operation Error parameter: why a request failed.
// The zero value, with no causes, marks an optional one as absent.
type OperationError struct {
	Causes []Cause
}

// ParamType implements ParamValue.
func (*OperationError) ParamType() ParamType { return ParamOperationError }

// ValueLen implements ParamValue.
func (e *OperationError) ValueLen() int {
	n := 0
	for _, c := range e.Causes {
		n += padLen(ParamHeaderLen + len(c.Info))
	}
	return n
}

// AppendValue implements ParamValue.
func (e *OperationError) AppendValue(b []byte) []byte {
	for _, c := range e.Causes {
		b = appendTLV(b, uint16(c.Code), c.Info)
	}
	return b
}

// Decode fills e from p, reusing the capacity of e.Causes.
func (e *OperationError) Decode(p Param) error {
	if err := expectParam(p, ParamOperationError); err != nil {
		return err
	}
	e.Causes = e.Causes[:0]
	// Causes share the layout of parameters, so the parameter iterator
	// walks them; only the names in its errors differ.
	it := Params(p.Value()).Iter()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		e.Causes = append(e.Causes, Cause{Code: CauseCode(c.Type()), Info: c.Value()})
	}
	if err := it.Err(); err != nil {
		return rebase(err, ParamHeaderLen)
	}
	if len(e.Causes) == 0 {
		return errAt("Operation Error length", 2, "no error cause")
	}
	return nil
}
