package wire

// Cookie Preservative (RFC 9260 section 3.3.2.1), sent in INIT to ask for
// a longer-lived State Cookie after a stale one:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Type = 9            |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Suggested Cookie Life-Span Increment (msec.)          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// State Cookie (7) and Unrecognized Parameter (8) of INIT ACK (section
// 3.3.3.1), Heartbeat Info (1, section 3.3.5) share one shape: an opaque
// value, or for Unrecognized Parameter a whole parameter TLV:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Type = 7/8/1         |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/     Cookie / Unrecognized Parameter / Heartbeat Information   /
//	\                                                               \
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// ECN Capable (appendix A) has no value:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x8000         |          Length = 4           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import "encoding/binary"

// CookiePreservativeParam is a Cookie Preservative parameter.
type CookiePreservativeParam struct {
	IncrementMillis uint32 // suggested cookie life-span increment
}

// ParamType implements ParamValue.
func (*CookiePreservativeParam) ParamType() ParamType { return ParamCookiePreservative }

// AppendValue implements ParamValue.
func (c *CookiePreservativeParam) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, c.IncrementMillis)
}

// Decode fills c from p, which must have length 8.
func (c *CookiePreservativeParam) Decode(p Param) (err error) {
	c.IncrementMillis, err = decodeUint32Param(p, ParamCookiePreservative)
	return err
}

// StateCookieParam is a State Cookie parameter. Cookie is opaque to the
// peer; decoded, it aliases the parameter.
type StateCookieParam struct {
	Cookie []byte
}

// ParamType implements ParamValue.
func (*StateCookieParam) ParamType() ParamType { return ParamStateCookie }

// AppendValue implements ParamValue.
func (s *StateCookieParam) AppendValue(b []byte) []byte { return append(b, s.Cookie...) }

// Decode fills s from p.
func (s *StateCookieParam) Decode(p Param) (err error) {
	s.Cookie, err = opaqueParam(p, ParamStateCookie)
	return err
}

// HeartbeatInfoParam is a Heartbeat Info parameter in a parameter list,
// for instance one returned inside an Unrecognized Parameter. HEARTBEAT
// and HEARTBEAT ACK chunks hold exactly one, which [Heartbeat] exposes
// directly as Info.
type HeartbeatInfoParam struct {
	Info []byte
}

// ParamType implements ParamValue.
func (*HeartbeatInfoParam) ParamType() ParamType { return ParamHeartbeatInfo }

// AppendValue implements ParamValue.
func (h *HeartbeatInfoParam) AppendValue(b []byte) []byte { return append(b, h.Info...) }

// Decode fills h from p.
func (h *HeartbeatInfoParam) Decode(p Param) (err error) {
	h.Info, err = opaqueParam(p, ParamHeartbeatInfo)
	return err
}

// opaqueParam checks the type of p and returns its value.
func opaqueParam(p Param, t ParamType) ([]byte, error) {
	if err := expectParam(p, t, 0); err != nil {
		return nil, err
	}
	return p.Value(), nil
}

// UnrecognizedParam is an Unrecognized Parameter parameter of INIT ACK:
// Param is the parameter of the INIT that was not understood, header
// included. Decoded, it aliases the parameter.
type UnrecognizedParam struct {
	Param Param
}

// ParamType implements ParamValue.
func (*UnrecognizedParam) ParamType() ParamType { return ParamUnrecognized }

// AppendValue implements ParamValue.
func (u *UnrecognizedParam) AppendValue(b []byte) []byte { return append(b, u.Param...) }

// Decode fills u from p, whose value must be exactly one parameter; its
// padding may be counted in p's length.
func (u *UnrecognizedParam) Decode(p Param) error {
	if err := expectParam(p, ParamUnrecognized, 0); err != nil {
		return err
	}
	inner, err := nestedParam(p.Value(), tlvHeaderLen, ParamUnrecognized.String())
	if err != nil {
		return err
	}
	u.Param = inner
	return nil
}

// ECNCapableParam is an ECN Capable parameter.
type ECNCapableParam struct{}

// ParamType implements ParamValue.
func (*ECNCapableParam) ParamType() ParamType { return ParamECNCapable }

// AppendValue implements ParamValue.
func (*ECNCapableParam) AppendValue(b []byte) []byte { return b }

// Decode checks p, which must have length 4.
func (*ECNCapableParam) Decode(p Param) error { return expectParamExact(p, ParamECNCapable, 0) }
