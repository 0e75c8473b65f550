package wire

import "testing"

// paramCodec is a typed parameter: it appends and decodes itself.
type paramCodec interface {
	ParamValue
	Decode(Param) error
}

// causeCodec is a typed error cause: it appends and decodes itself.
type causeCodec interface {
	CauseValue
	Decode(Cause) error
}

// tlvKind adapts the parameter or the error cause API, so that one
// round-trip check serves both.
type tlvKind[V any] struct {
	appendOne func(V) []byte        // v as the only item of a list
	decode    func(V, []byte) error // decode one item from exactly b
}

var paramKind = tlvKind[paramCodec]{
	appendOne: func(v paramCodec) []byte { return AppendParam(nil, v) },
	decode:    func(v paramCodec, b []byte) error { return v.Decode(Param(b)) },
}

var causeKind = tlvKind[causeCodec]{
	appendOne: func(v causeCodec) []byte { return AppendCause(nil, v) },
	decode:    func(v causeCodec, b []byte) error { return v.Decode(Cause(b)) },
}

// roundTrip is the fuzzing contract for one item of a list, decoded with
// the typed value mk returns for its type (nil for types without one):
// whatever decodes re-encodes to bytes that decode to an equal value.
func (k tlvKind[V]) roundTrip(t *testing.T, in []byte, mk func() V) {
	t.Helper()
	if mk == nil {
		return
	}
	v := mk()
	if k.decode(v, in) != nil {
		return
	}
	out := k.appendOne(v)
	v2 := mk()
	if err := k.decode(v2, out); err != nil {
		t.Fatalf("re-encoded %T does not decode: %v\n in % x\nout % x", v, err, in, out)
	}
	if !equalValues(v, v2) {
		t.Fatalf("round trip changed the %T:\n got %+v\nwant %+v", v, v2, v)
	}
}

// baseParams makes a fresh typed value for each RFC 9260 parameter type.
var baseParams = map[ParamType]func() paramCodec{
	ParamHeartbeatInfo:         func() paramCodec { return new(HeartbeatInfoParam) },
	ParamIPv4Address:           func() paramCodec { return new(AddressParam) },
	ParamIPv6Address:           func() paramCodec { return new(AddressParam) },
	ParamStateCookie:           func() paramCodec { return new(StateCookieParam) },
	ParamUnrecognized:          func() paramCodec { return new(UnrecognizedParam) },
	ParamCookiePreservative:    func() paramCodec { return new(CookiePreservativeParam) },
	ParamHostNameAddress:       func() paramCodec { return new(HostNameParam) },
	ParamSupportedAddressTypes: func() paramCodec { return new(SupportedAddrTypesParam) },
	ParamECNCapable:            func() paramCodec { return new(ECNCapableParam) },
}

// baseCauses makes a fresh typed value for each RFC 9260 cause code.
var baseCauses = map[CauseCode]func() causeCodec{
	CauseInvalidStream:           func() causeCodec { return new(InvalidStreamCause) },
	CauseMissingMandatoryParam:   func() causeCodec { return new(MissingParamCause) },
	CauseStaleCookie:             func() causeCodec { return new(StaleCookieCause) },
	CauseOutOfResource:           func() causeCodec { return new(EmptyCause) },
	CauseUnresolvableAddress:     func() causeCodec { return new(UnresolvableAddrCause) },
	CauseUnrecognizedChunk:       func() causeCodec { return new(UnrecognizedChunkCause) },
	CauseInvalidMandatoryParam:   func() causeCodec { return new(EmptyCause) },
	CauseUnrecognizedParams:      func() causeCodec { return new(UnrecognizedParamsCause) },
	CauseNoUserData:              func() causeCodec { return new(NoUserDataCause) },
	CauseCookieWhileShuttingDown: func() causeCodec { return new(EmptyCause) },
	CauseRestartWithNewAddresses: func() causeCodec { return new(RestartAddrsCause) },
	CauseUserInitiatedAbort:      func() causeCodec { return new(UserAbortCause) },
	CauseProtocolViolation:       func() causeCodec { return new(ProtocolViolationCause) },
}

// walkParams asserts that a list a decoder validated iterates without
// error, and round-trips every parameter of a known type in it, and the
// lists nested in those.
func walkParams(t *testing.T, ps Params) {
	t.Helper()
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		paramKind.roundTrip(t, p, baseParams[p.Type()])
		var u UnrecognizedParam
		if p.Type() == ParamUnrecognized && u.Decode(p) == nil {
			walkParams(t, Params(u.Param))
		}
	}
	if it.Err() != nil {
		t.Fatalf("validated parameter list fails to iterate: %v", it.Err())
	}
}

// walkCauses is walkParams for a cause list: it also walks the parameter
// lists that causes carry.
func walkCauses(t *testing.T, cs Causes) {
	t.Helper()
	it := cs.Iter()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		causeKind.roundTrip(t, c, baseCauses[c.Code()])
		walkParams(t, nestedParams(c))
	}
	if it.Err() != nil {
		t.Fatalf("validated cause list fails to iterate: %v", it.Err())
	}
}

// nestedParams returns the parameters a cause carries, if it decodes.
func nestedParams(c Cause) Params {
	var (
		up UnrecognizedParamsCause
		ra RestartAddrsCause
		ua UnresolvableAddrCause
	)
	switch {
	case c.Code() == CauseUnrecognizedParams && up.Decode(c) == nil:
		return up.Params
	case c.Code() == CauseRestartWithNewAddresses && ra.Decode(c) == nil:
		return ra.Addresses
	case c.Code() == CauseUnresolvableAddress && ua.Decode(c) == nil:
		return Params(ua.Address)
	}
	return nil
}
