package wire

// The ASAP messages of RFC 5352. Each follows the common header (see
// message.go); the flags and fields after it are:
//
//	Type  Message                   Flags  Fields and parameters
//	0x01  Registration                     Pool Handle, Pool Element
//	0x02  Deregistration                   Pool Handle, PE Identifier
//	0x03  Registration Response     R      Pool Handle, PE Identifier,
//	                                       [Operation Error]
//	0x04  Deregistration Response          Pool Handle, PE Identifier,
//	                                       [Operation Error]
//	0x05  Handle Resolution                Pool Handle, [Handle Resolution
//	                                       Option]
//	0x06  Handle Resolution Resp.   A      Pool Handle, [Policy],
//	                                       Pool Element*, [Operation Error]
//	0x07  Endpoint Keep-Alive       H      Server ID (32 bits), Pool Handle,
//	                                       [PE Identifier: RSPLIB only]
//	0x08  Endpoint Keep-Alive Ack          Pool Handle, PE Identifier
//	0x09  Endpoint Unreachable             Pool Handle, PE Identifier
//	0x0a  Server Announce                  Server ID (32 bits), Transport*
//	0x0b  Cookie                           Cookie
//	0x0c  Cookie Echo                      Cookie
//	0x0d  Business Card                    Pool Handle, [Policy],
//	                                       Pool Element*
//	0x0e  Error                            Operation Error
//
// For example an Endpoint Keep-Alive:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x07  |0|0|0|0|0|0|0|H|        Message Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Server's Identifier                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                     Pool Handle Parameter                     :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Every flag is the lowest bit of the flags byte.

import "fmt"

// ASAPType identifies an ASAP message.
type ASAPType uint8

// ASAP message types.
const (
	ASAPRegistration             ASAPType = 0x01
	ASAPDeregistration           ASAPType = 0x02
	ASAPRegistrationResponse     ASAPType = 0x03
	ASAPDeregistrationResponse   ASAPType = 0x04
	ASAPHandleResolution         ASAPType = 0x05
	ASAPHandleResolutionResponse ASAPType = 0x06
	ASAPEndpointKeepAlive        ASAPType = 0x07
	ASAPEndpointKeepAliveAck     ASAPType = 0x08
	ASAPEndpointUnreachable      ASAPType = 0x09
	ASAPServerAnnounce           ASAPType = 0x0a
	ASAPCookie                   ASAPType = 0x0b
	ASAPCookieEcho               ASAPType = 0x0c
	ASAPBusinessCard             ASAPType = 0x0d
	ASAPError                    ASAPType = 0x0e
)

var asapNames = [...]string{
	ASAPRegistration:             "Registration",
	ASAPDeregistration:           "Deregistration",
	ASAPRegistrationResponse:     "Registration Response",
	ASAPDeregistrationResponse:   "Deregistration Response",
	ASAPHandleResolution:         "Handle Resolution",
	ASAPHandleResolutionResponse: "Handle Resolution Response",
	ASAPEndpointKeepAlive:        "Endpoint Keep-Alive",
	ASAPEndpointKeepAliveAck:     "Endpoint Keep-Alive Ack",
	ASAPEndpointUnreachable:      "Endpoint Unreachable",
	ASAPServerAnnounce:           "Server Announce",
	ASAPCookie:                   "Cookie",
	ASAPCookieEcho:               "Cookie Echo",
	ASAPBusinessCard:             "Business Card",
	ASAPError:                    "Error",
}

func (t ASAPType) String() string {
	if t.Known() {
		return "ASAP " + asapNames[t]
	}
	return fmt.Sprintf("ASAP type %#02x", uint8(t))
}

// Known reports whether this package decodes messages of type t.
func (t ASAPType) Known() bool { return t >= ASAPRegistration && t <= ASAPError }

// fixedLen returns the size of the fixed fields between the header and the
// parameters of messages of type t.
func (t ASAPType) fixedLen() int {
	if t == ASAPEndpointKeepAlive || t == ASAPServerAnnounce {
		return 4
	}
	return 0
}

const (
	flagReject = 0x01 // R: Registration Response
	flagAccept = 0x01 // A: Handle Resolution Response
	flagHome   = 0x01 // H: Endpoint Keep-Alive
)

// Registration asks a registrar to add or refresh a pool element.
type Registration struct {
	Handle  PoolHandle
	Element PoolElement
}

// Deregistration asks a registrar to remove a pool element.
type Deregistration struct {
	Handle PoolHandle
	PEID   PEID
}

// RegistrationResponse answers a Registration.
type RegistrationResponse struct {
	Reject bool // R flag: the registration failed, for the reasons in Error
	Handle PoolHandle
	PEID   PEID
	Error  OperationError // optional
}

// DeregistrationResponse answers a Deregistration.
type DeregistrationResponse struct {
	Handle PoolHandle
	PEID   PEID
	Error  OperationError // optional
}

// HandleResolution asks a registrar for the elements of a pool.
type HandleResolution struct {
	Handle PoolHandle
	// Items is the Handle Resolution Option: how many elements the pool
	// user wants. Zero leaves the option out.
	Items ResolutionItems
}

// HandleResolutionResponse answers a Handle Resolution with elements of the
// pool, or with an error.
type HandleResolutionResponse struct {
	Accept bool // A flag: the registrar sends updates of the pool
	Handle PoolHandle
	// Policy is the pool's overall policy; optional, zero Type if absent.
	// RSPLIB's pool users reject a response without it.
	Policy   Policy
	Elements []PoolElement
	Error    OperationError // optional
}

// EndpointKeepAlive is a registrar's probe of a pool element.
type EndpointKeepAlive struct {
	Home     bool // H flag: the sender is now the element's home registrar
	ServerID ServerID
	Handle   PoolHandle
	// PEID names the probed element. RSPLIB deviation: RFC 5352 has no such
	// parameter here, RSPLIB sends it. It is accepted, and written only
	// when non-zero, so the zero value keeps the RFC form.
	PEID PEID
}

// EndpointKeepAliveAck is a pool element's answer to a keep-alive.
type EndpointKeepAliveAck struct {
	Handle PoolHandle
	PEID   PEID
}

// EndpointUnreachable reports a pool element that a pool user could not
// reach.
type EndpointUnreachable struct {
	Handle PoolHandle
	PEID   PEID
}

// ServerAnnounce advertises a registrar, usually by multicast.
type ServerAnnounce struct {
	ServerID   ServerID
	Transports []Transport // where to reach it; if empty, at the announce's source address
}

// CookieMessage carries a cookie from a pool element to a pool user.
type CookieMessage struct {
	Cookie Cookie
}

// CookieEcho carries a cookie back, from a pool user to the element that
// takes over after a failover.
type CookieEcho struct {
	Cookie Cookie
}

// BusinessCard tells the peer of a session which pool the sender belongs to
// and which elements may take over from it.
type BusinessCard struct {
	Handle   PoolHandle
	Policy   Policy // optional, zero Type if absent
	Elements []PoolElement
}

// ASAPErrorMessage reports an error, such as an unrecognized parameter.
type ASAPErrorMessage struct {
	Error OperationError
}

func (m *Registration) walk(c codec) codec {
	one(&c, &m.Handle, ParamPoolHandle)
	one(&c, &m.Element, ParamPoolElement)
	return c
}

func (m *Deregistration) walk(c codec) codec { return walkHandlePEID(c, &m.Handle, &m.PEID) }

func (m *RegistrationResponse) walk(c codec) codec {
	c.flag(&m.Reject, flagReject)
	c = walkHandlePEID(c, &m.Handle, &m.PEID)
	opt(&c, &m.Error, ParamOperationError, len(m.Error.Causes) > 0)
	return c
}

func (m *DeregistrationResponse) walk(c codec) codec {
	c = walkHandlePEID(c, &m.Handle, &m.PEID)
	opt(&c, &m.Error, ParamOperationError, len(m.Error.Causes) > 0)
	return c
}

func (m *HandleResolution) walk(c codec) codec {
	one(&c, &m.Handle, ParamPoolHandle)
	opt(&c, &m.Items, ParamHandleResolutionOption, m.Items != 0)
	return c
}

func (m *HandleResolutionResponse) walk(c codec) codec {
	c.flag(&m.Accept, flagAccept)
	one(&c, &m.Handle, ParamPoolHandle)
	opt(&c, &m.Policy, ParamPolicy, m.Policy.Type != 0)
	many(&c, &m.Elements, ParamPoolElement)
	opt(&c, &m.Error, ParamOperationError, len(m.Error.Causes) > 0)
	return c
}

func (m *EndpointKeepAlive) walk(c codec) codec {
	c.flag(&m.Home, flagHome)
	fixed32(&c, &m.ServerID, "server's identifier")
	one(&c, &m.Handle, ParamPoolHandle)
	opt(&c, &m.PEID, ParamPEIdentifier, m.PEID != 0)
	return c
}

func (m *EndpointKeepAliveAck) walk(c codec) codec { return walkHandlePEID(c, &m.Handle, &m.PEID) }

func (m *EndpointUnreachable) walk(c codec) codec { return walkHandlePEID(c, &m.Handle, &m.PEID) }

func (m *ServerAnnounce) walk(c codec) codec {
	fixed32(&c, &m.ServerID, "server's identifier")
	many(&c, &m.Transports, anyTransport)
	return c
}

func (m *CookieMessage) walk(c codec) codec { one(&c, &m.Cookie, ParamCookie); return c }

func (m *CookieEcho) walk(c codec) codec { one(&c, &m.Cookie, ParamCookie); return c }

func (m *BusinessCard) walk(c codec) codec {
	one(&c, &m.Handle, ParamPoolHandle)
	opt(&c, &m.Policy, ParamPolicy, m.Policy.Type != 0)
	many(&c, &m.Elements, ParamPoolElement)
	return c
}

func (m *ASAPErrorMessage) walk(c codec) codec {
	one(&c, &m.Error, ParamOperationError)
	return c
}

// walkHandlePEID lays out the pair of parameters that name one pool
// element, which five messages share.
func walkHandlePEID(c codec, h *PoolHandle, id *PEID) codec {
	one(&c, h, ParamPoolHandle)
	one(&c, id, ParamPEIdentifier)
	return c
}

// ASAPType implements ASAPValue.
func (*Registration) ASAPType() ASAPType { return ASAPRegistration }

// ASAPType implements ASAPValue.
func (*Deregistration) ASAPType() ASAPType { return ASAPDeregistration }

// ASAPType implements ASAPValue.
func (*RegistrationResponse) ASAPType() ASAPType { return ASAPRegistrationResponse }

// ASAPType implements ASAPValue.
func (*DeregistrationResponse) ASAPType() ASAPType { return ASAPDeregistrationResponse }

// ASAPType implements ASAPValue.
func (*HandleResolution) ASAPType() ASAPType { return ASAPHandleResolution }

// ASAPType implements ASAPValue.
func (*HandleResolutionResponse) ASAPType() ASAPType { return ASAPHandleResolutionResponse }

// ASAPType implements ASAPValue.
func (*EndpointKeepAlive) ASAPType() ASAPType { return ASAPEndpointKeepAlive }

// ASAPType implements ASAPValue.
func (*EndpointKeepAliveAck) ASAPType() ASAPType { return ASAPEndpointKeepAliveAck }

// ASAPType implements ASAPValue.
func (*EndpointUnreachable) ASAPType() ASAPType { return ASAPEndpointUnreachable }

// ASAPType implements ASAPValue.
func (*ServerAnnounce) ASAPType() ASAPType { return ASAPServerAnnounce }

// ASAPType implements ASAPValue.
func (*CookieMessage) ASAPType() ASAPType { return ASAPCookie }

// ASAPType implements ASAPValue.
func (*CookieEcho) ASAPType() ASAPType { return ASAPCookieEcho }

// ASAPType implements ASAPValue.
func (*BusinessCard) ASAPType() ASAPType { return ASAPBusinessCard }

// ASAPType implements ASAPValue.
func (*ASAPErrorMessage) ASAPType() ASAPType { return ASAPError }
