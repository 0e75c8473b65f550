package wire

import (
	"encoding/binary"
	"fmt"
)

// ParamType identifies a parameter (RFC 9260 section 3.2.1).
type ParamType uint16

// Parameter types of RFC 9260 and of the extensions this package knows.
const (
	ParamHeartbeatInfo          ParamType = 1
	ParamIPv4Address            ParamType = 5
	ParamIPv6Address            ParamType = 6
	ParamStateCookie            ParamType = 7
	ParamUnrecognized           ParamType = 8
	ParamCookiePreservative     ParamType = 9
	ParamHostNameAddress        ParamType = 11
	ParamSupportedAddressTypes  ParamType = 12
	ParamOutgoingSSNReset       ParamType = 13 // RFC 6525
	ParamIncomingSSNReset       ParamType = 14 // RFC 6525
	ParamSSNTSNReset            ParamType = 15 // RFC 6525
	ParamReconfigResponse       ParamType = 16 // RFC 6525
	ParamAddOutgoingStreams     ParamType = 17 // RFC 6525
	ParamAddIncomingStreams     ParamType = 18 // RFC 6525
	ParamECNCapable             ParamType = 0x8000
	ParamZeroChecksumAcceptable ParamType = 0x8001 // RFC 9653
	ParamRandom                 ParamType = 0x8002 // RFC 4895
	ParamChunks                 ParamType = 0x8003 // RFC 4895
	ParamHMACAlgo               ParamType = 0x8004 // RFC 4895
	ParamPad                    ParamType = 0x8005 // RFC 4820
	ParamSupportedExtensions    ParamType = 0x8008 // RFC 5061
	ParamForwardTSNSupported    ParamType = 0xC000 // RFC 3758
	ParamAddIP                  ParamType = 0xC001 // RFC 5061
	ParamDeleteIP               ParamType = 0xC002 // RFC 5061
	ParamErrorCauseIndication   ParamType = 0xC003 // RFC 5061
	ParamSetPrimary             ParamType = 0xC004 // RFC 5061
	ParamSuccessIndication      ParamType = 0xC005 // RFC 5061
	ParamAdaptationLayer        ParamType = 0xC006 // RFC 5061
)

var paramNames = map[ParamType]string{
	ParamHeartbeatInfo:          "Heartbeat Info",
	ParamIPv4Address:            "IPv4 Address",
	ParamIPv6Address:            "IPv6 Address",
	ParamStateCookie:            "State Cookie",
	ParamUnrecognized:           "Unrecognized Parameter",
	ParamCookiePreservative:     "Cookie Preservative",
	ParamHostNameAddress:        "Host Name Address",
	ParamSupportedAddressTypes:  "Supported Address Types",
	ParamOutgoingSSNReset:       "Outgoing SSN Reset Request",
	ParamIncomingSSNReset:       "Incoming SSN Reset Request",
	ParamSSNTSNReset:            "SSN/TSN Reset Request",
	ParamReconfigResponse:       "Re-configuration Response",
	ParamAddOutgoingStreams:     "Add Outgoing Streams Request",
	ParamAddIncomingStreams:     "Add Incoming Streams Request",
	ParamECNCapable:             "ECN Capable",
	ParamZeroChecksumAcceptable: "Zero Checksum Acceptable",
	ParamRandom:                 "Random",
	ParamChunks:                 "Chunk List",
	ParamHMACAlgo:               "Requested HMAC Algorithm",
	ParamPad:                    "Padding",
	ParamSupportedExtensions:    "Supported Extensions",
	ParamForwardTSNSupported:    "Forward-TSN-Supported",
	ParamAddIP:                  "Add IP Address",
	ParamDeleteIP:               "Delete IP Address",
	ParamErrorCauseIndication:   "Error Cause Indication",
	ParamSetPrimary:             "Set Primary Address",
	ParamSuccessIndication:      "Success Indication",
	ParamAdaptationLayer:        "Adaptation Layer Indication",
}

func (t ParamType) String() string {
	if s, ok := paramNames[t]; ok {
		return s
	}
	return fmt.Sprintf("parameter type %#04x", uint16(t))
}

// Known reports whether this package decodes parameters of type t.
func (t ParamType) Known() bool {
	_, ok := paramNames[t]
	return ok
}

// Action returns what to do with a parameter of this type if it is not
// understood (RFC 9260 section 3.2.1).
func (t ParamType) Action() Action { return Action(t >> 14) }

// Param is a view of one parameter: header and value, without padding.
type Param []byte

// Type returns the parameter type.
func (p Param) Type() ParamType { return ParamType(binary.BigEndian.Uint16(p)) }

// Len returns the parameter length field, which equals len(p).
func (p Param) Len() int { return int(binary.BigEndian.Uint16(p[2:])) }

// Value returns the parameter value.
func (p Param) Value() []byte { return p[tlvHeaderLen:] }

// ParseParam returns the parameter at the start of b.
func ParseParam(b []byte) (Param, error) {
	t, err := parseTLV(b, "parameter")
	return Param(t), err
}

// Params is a view of a list of parameters, as found in INIT, INIT ACK,
// ASCONF, ASCONF-ACK and RE-CONFIG chunks. A list built by [AppendParam]
// ends without the last parameter's padding, as chunk lengths require.
type Params []byte

// Iter returns an iterator over the list.
func (ps Params) Iter() ParamIter {
	return ParamIter{tlvIter{buf: ps, what: "parameter"}}
}

// Find returns the first parameter of type t.
func (ps Params) Find(t ParamType) (Param, bool) {
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		if p.Type() == t {
			return p, true
		}
	}
	return nil, false
}

// Validate checks the structure of the list; base is the list's offset in
// the enclosing item and is added to error offsets.
func (ps Params) Validate(base int) error { return validateTLVs(ps, "parameter", base) }

// parseParamList validates b as a parameter list and returns it without
// padding after the last parameter (see [tlvListEnd]); base is as for
// Validate.
func parseParamList(b []byte, base int) (Params, error) {
	n, err := tlvListEnd(b, "parameter", base)
	if err != nil {
		return nil, err
	}
	return Params(b[:n]), nil
}

// ParamIter walks a parameter list.
type ParamIter struct{ it tlvIter }

// Next returns the next parameter, or false at the end or on error.
func (it *ParamIter) Next() (Param, bool) {
	t, ok := it.it.next()
	return Param(t), ok
}

// Err returns the error that stopped the iteration, if any.
func (it *ParamIter) Err() error { return it.it.err }

// ParamValue is a typed parameter that can be appended to a list.
type ParamValue interface {
	// ParamType returns the type written in the parameter header.
	ParamType() ParamType
	// AppendValue appends the parameter value (without header or padding).
	AppendValue(b []byte) []byte
}

// AppendParam appends v to the parameter list ps (see [Params]).
func AppendParam(ps Params, v ParamValue) Params {
	return appendTLV(ps, uint16(v.ParamType()), v.AppendValue)
}

// RawParam is a parameter kept as bytes: an unknown parameter to report, or
// one to write verbatim.
type RawParam struct {
	Type  ParamType
	Value []byte
}

// Decode fills r from p; Value aliases p.
func (r *RawParam) Decode(p Param) error {
	*r = RawParam{Type: p.Type(), Value: p.Value()}
	return nil
}

// ParamType implements ParamValue.
func (r *RawParam) ParamType() ParamType { return r.Type }

// AppendValue implements ParamValue.
func (r *RawParam) AppendValue(b []byte) []byte { return append(b, r.Value...) }

// expectParam checks the type and minimum value length of p for the typed
// decoders.
func expectParam(p Param, t ParamType, minValue int) error {
	if len(p) < tlvHeaderLen {
		return errShort("parameter header", 0, tlvHeaderLen, len(p))
	}
	if p.Type() != t {
		return errAt("parameter type", 0, fmt.Sprintf("%s, want %s", p.Type(), t))
	}
	if len(p.Value()) < minValue {
		return errShort(t.String()+" value", tlvHeaderLen, minValue, len(p.Value()))
	}
	return nil
}

// expectParamExact is expectParam for fixed-size parameters.
func expectParamExact(p Param, t ParamType, valueLen int) error {
	if err := expectParam(p, t, valueLen); err != nil {
		return err
	}
	if len(p.Value()) != valueLen {
		return errAt(t.String()+" length", 2, fmt.Sprintf("%d, want %d", p.Len(), tlvHeaderLen+valueLen))
	}
	return nil
}
