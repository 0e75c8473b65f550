package wire

import "fmt"

// ParamType identifies a parameter (RFC 5354). Its two high-order bits
// tell a receiver that does not know the type what to do with it; see
// Action.
type ParamType uint16

// Parameter types of RFC 5354 and of draft-dreibholz-rserpool-asap-hropt.
const (
	ParamIPv4Address            ParamType = 0x0001
	ParamIPv6Address            ParamType = 0x0002
	ParamDCCPTransport          ParamType = 0x0003
	ParamSCTPTransport          ParamType = 0x0004
	ParamTCPTransport           ParamType = 0x0005
	ParamUDPTransport           ParamType = 0x0006
	ParamUDPLiteTransport       ParamType = 0x0007
	ParamPolicy                 ParamType = 0x0008 // Pool Member Selection Policy
	ParamPoolHandle             ParamType = 0x0009
	ParamPoolElement            ParamType = 0x000a
	ParamServerInformation      ParamType = 0x000b
	ParamOperationError         ParamType = 0x000c
	ParamCookie                 ParamType = 0x000d
	ParamPEIdentifier           ParamType = 0x000e
	ParamPEChecksum             ParamType = 0x000f
	ParamHandleResolutionOption ParamType = 0x803f // Handle Resolution Option; "skip" action bits
)

const (
	lastRFC5354Param = ParamPEChecksum
	firstTransport   = ParamDCCPTransport
	lastTransport    = ParamUDPLiteTransport

	// anyTransport stands for the five transport types where a field
	// accepts any of them. Type 0 is reserved, so no parameter has it.
	anyTransport ParamType = 0
)

var paramNames = [...]string{
	ParamIPv4Address:       "IPv4 Address",
	ParamIPv6Address:       "IPv6 Address",
	ParamDCCPTransport:     "DCCP Transport",
	ParamSCTPTransport:     "SCTP Transport",
	ParamTCPTransport:      "TCP Transport",
	ParamUDPTransport:      "UDP Transport",
	ParamUDPLiteTransport:  "UDP-Lite Transport",
	ParamPolicy:            "Pool Member Selection Policy",
	ParamPoolHandle:        "Pool Handle",
	ParamPoolElement:       "Pool Element",
	ParamServerInformation: "Server Information",
	ParamOperationError:    "Operation Error",
	ParamCookie:            "Cookie",
	ParamPEIdentifier:      "PE Identifier",
	ParamPEChecksum:        "PE Checksum",
}

func (t ParamType) String() string {
	switch {
	case t == ParamHandleResolutionOption:
		return "Handle Resolution Option"
	case t.Known():
		return paramNames[t]
	}
	return fmt.Sprintf("parameter type %#04x", uint16(t))
}

// wantName names what a field wants, for errors.
func (t ParamType) wantName() string {
	if t == anyTransport {
		return "transport"
	}
	return t.String()
}

// Known reports whether this package decodes parameters of type t.
func (t ParamType) Known() bool {
	return t != 0 && t <= lastRFC5354Param || t == ParamHandleResolutionOption
}

// Action returns what to do with a parameter of this type if it is not
// understood: the two high-order bits of the type, with the meaning they have
// in SCTP (RFC 9260 section 3.2.1).
func (t ParamType) Action() Action { return Action(t >> 14) }

func (t ParamType) isTransport() bool { return firstTransport <= t && t <= lastTransport }

// accepts reports whether a parameter of type got decodes into a field that
// wants parameters of type t; anyTransport accepts every transport type.
func (t ParamType) accepts(got ParamType) bool {
	if t == anyTransport {
		return got.isTransport()
	}
	return got == t
}

// Action tells a receiver what to do with a parameter it does not recognize.
type Action uint8

// The four actions. "Stop" means: do not process the rest of the message.
const (
	ActionStop       Action = 0 // stop, do not report
	ActionStopReport Action = 1 // stop and report
	ActionSkip       Action = 2 // skip and continue
	ActionSkipReport Action = 3 // skip, continue and report
)

// Stop reports whether processing stops at the unrecognized parameter.
func (a Action) Stop() bool { return a&2 == 0 }

// Report reports whether the unrecognized parameter is reported to the
// sender, in an Operation Error with an Unrecognized Parameter cause.
func (a Action) Report() bool { return a&1 != 0 }
