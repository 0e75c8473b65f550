package wire

// RFC 9260 error causes with fixed fields (section 3.3.10). Invalid Stream
// Identifier (1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 1         |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Stream Identifier       |          (Reserved)           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Missing Mandatory Parameter (2):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Cause Code = 2         |   Cause Length = 8 + N * 2    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Number of missing params = N                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Missing Param Type #1     |     Missing Param Type #2     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    Missing Param Type #N-1    |     Missing Param Type #N     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Stale Cookie (3) and No User Data (9), each one 32-bit field:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Cause Code = 3/9        |       Cause Length = 8        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|       Measure of Staleness (usec.) / TSN value (No User)      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Out of Resource (4), Invalid Mandatory Parameter (7) and Cookie Received
// While Shutting Down (10) carry nothing:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Cause Code = 4/7/10       |       Cause Length = 4        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// InvalidStreamCause is an Invalid Stream Identifier cause.
type InvalidStreamCause struct {
	Stream uint16
}

// CauseCode implements CauseValue.
func (*InvalidStreamCause) CauseCode() CauseCode { return CauseInvalidStream }

// AppendValue implements CauseValue; the reserved field is written as zero.
func (i *InvalidStreamCause) AppendValue(b []byte) []byte {
	return append(binary.BigEndian.AppendUint16(b, i.Stream), 0, 0)
}

// Decode fills i from c, which must have length 8. The reserved field is
// ignored.
func (i *InvalidStreamCause) Decode(c Cause) error {
	if err := expectCauseExact(c, CauseInvalidStream, 4); err != nil {
		return err
	}
	i.Stream = binary.BigEndian.Uint16(c[tlvHeaderLen:])
	return nil
}

// missingHeaderLen is the size of a Missing Mandatory Parameter cause
// without parameter types.
const missingHeaderLen = tlvHeaderLen + 4

// MissingParamCause is a Missing Mandatory Parameter cause. Decode reuses
// the capacity of Types.
type MissingParamCause struct {
	Types []ParamType
}

// CauseCode implements CauseValue.
func (*MissingParamCause) CauseCode() CauseCode { return CauseMissingMandatoryParam }

// AppendValue implements CauseValue.
func (m *MissingParamCause) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Types)))
	return appendUint16s(b, m.Types)
}

// Decode fills m from c. The count must match the types that follow it
// exactly.
func (m *MissingParamCause) Decode(c Cause) error {
	if err := expectCause(c, CauseMissingMandatoryParam, missingHeaderLen-tlvHeaderLen); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(c[tlvHeaderLen:])
	list := c[missingHeaderLen:]
	// Compare in 64 bits: 2*n overflows uint32, and int on 32-bit targets.
	if uint64(len(list)) != 2*uint64(n) {
		return errAt(CauseMissingMandatoryParam.String()+" count", tlvHeaderLen,
			fmt.Sprintf("%d, but %d bytes of parameter types follow", n, len(list)))
	}
	m.Types = m.Types[:0]
	for i := 0; i < len(list); i += 2 {
		m.Types = append(m.Types, ParamType(binary.BigEndian.Uint16(list[i:])))
	}
	return nil
}

// StaleCookieCause is a Stale Cookie cause.
type StaleCookieCause struct {
	StalenessMicros uint32 // how long past its lifetime the cookie arrived
}

// CauseCode implements CauseValue.
func (*StaleCookieCause) CauseCode() CauseCode { return CauseStaleCookie }

// AppendValue implements CauseValue.
func (s *StaleCookieCause) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, s.StalenessMicros)
}

// Decode fills s from c, which must have length 8.
func (s *StaleCookieCause) Decode(c Cause) (err error) {
	s.StalenessMicros, err = decodeUint32Cause(c, CauseStaleCookie)
	return err
}

// NoUserDataCause is a No User Data cause: TSN is the DATA chunk that
// arrived without user data.
type NoUserDataCause struct {
	TSN uint32
}

// CauseCode implements CauseValue.
func (*NoUserDataCause) CauseCode() CauseCode { return CauseNoUserData }

// AppendValue implements CauseValue.
func (n *NoUserDataCause) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, n.TSN)
}

// Decode fills n from c, which must have length 8.
func (n *NoUserDataCause) Decode(c Cause) (err error) {
	n.TSN, err = decodeUint32Cause(c, CauseNoUserData)
	return err
}

// decodeUint32Cause decodes a cause whose value is one 32-bit number.
func decodeUint32Cause(c Cause, code CauseCode) (uint32, error) {
	if err := expectCauseExact(c, code, 4); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(c[tlvHeaderLen:]), nil
}

// EmptyCause is an error cause without cause-specific information. RFC
// 9260 has three: CauseOutOfResource, CauseInvalidMandatoryParam and
// CauseCookieWhileShuttingDown.
type EmptyCause struct {
	Code CauseCode
}

// CauseCode implements CauseValue.
func (e *EmptyCause) CauseCode() CauseCode { return e.Code }

// AppendValue implements CauseValue.
func (*EmptyCause) AppendValue(b []byte) []byte { return b }

// Decode fills e from c, which must have length 4. Any code is accepted:
// the caller picked this type for it.
func (e *EmptyCause) Decode(c Cause) error {
	if len(c) < tlvHeaderLen {
		return errShort("error cause header", 0, tlvHeaderLen, len(c))
	}
	if err := expectCauseExact(c, c.Code(), 0); err != nil {
		return err
	}
	e.Code = c.Code()
	return nil
}
