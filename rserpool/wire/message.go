package wire

// ASAP messages (RFC 5352) and ENRP messages (RFC 5353) share a header: a
// type, flags whose meaning depends on the type, and a length that counts
// the header and every parameter with its padding. ENRP adds the sending and
// the receiving server's identifiers. A few messages then have fixed fields
// (a server ID, an update action, a target); the rest is parameters.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Message Type  | Message Flags |        Message Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Sending Server's ID (ENRP only)               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Receiving Server's ID (ENRP only)              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:               Fixed fields, then parameters                   :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"fmt"
	"net/netip"
)

// SCTP payload protocol identifiers and well-known ports (RFC 5352, RFC
// 5353). ASAP uses its port over SCTP and TCP, and for Server Announces over
// UDP; ENRP likewise.
const (
	PPIDASAP = 11
	PPIDENRP = 12
	PortASAP = 3863
	PortENRP = 9901
)

// The multicast groups that registrars announce themselves to, ASAP Server
// Announces for pool elements and users, ENRP Presence for other
// registrars; the defaults RSPLIB uses.
var (
	ASAPAnnounceAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{239, 0, 0, 50}), PortASAP)
	ENRPAnnounceAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{239, 0, 0, 51}), PortENRP)
)

const (
	asapHeaderLen = 4
	enrpHeaderLen = 12
)

// message is what ASAP and ENRP message views share: a message validated
// by parseMessage, without trailing padding.
type message []byte

// Flags returns the message flags.
func (m message) Flags() uint8 { return m[1] }

// Len returns the message length field.
func (m message) Len() int { return len(m) }

// Bytes returns the message, without padding after its length.
func (m message) Bytes() []byte { return m }

func parseMessage(b []byte, hdrLen int) (message, error) {
	if len(b) < hdrLen {
		return nil, errShort("message header", 0, hdrLen, len(b))
	}
	n := int(be.Uint16(b[2:]))
	switch {
	case n < hdrLen:
		return nil, errAt("message length", 2, fmt.Sprintf("%d is below the %d-byte header", n, hdrLen))
	case n > len(b):
		return nil, errAt("message length", 2, fmt.Sprintf("%d exceeds the %d-byte buffer", n, len(b)))
	case len(b) > padLen(n):
		return nil, errAt("message length", 2, fmt.Sprintf("%d leaves %d bytes of the buffer unread", n, len(b)-n))
	}
	return message(b[:n]), nil
}

// params returns the parameter list that starts at off.
func (m message) params(off int) Params { return Params(m[min(off, len(m)):]) }

// decode decodes a message whose fixed fields start at off into w.
func (m message) decode(off int, w walker) error {
	c := w.walk(codec{mode: decoding, in: m, off: off, flags: m[1]})
	return c.end()
}

func beginMessage(b []byte, typ uint8) ([]byte, int) { return append(b, typ, 0, 0, 0), len(b) }

func endMessage(c codec, start int) []byte {
	c.b[start+1] = c.flags
	be.PutUint16(c.b[start+2:], uint16(len(c.b)-start))
	return c.b
}

// ASAPMessage is a view of one ASAP message. The zero ASAPMessage is not a
// message; get one from ParseASAP.
type ASAPMessage struct{ message }

// ParseASAP checks the header and length of the ASAP message in b and
// returns a view of it. b may hold padding after the message length, as
// when that length leaves the last parameter's padding out, but no more.
func ParseASAP(b []byte) (ASAPMessage, error) {
	m, err := parseMessage(b, asapHeaderLen)
	return ASAPMessage{m}, err
}

// Type returns the message type.
func (m ASAPMessage) Type() ASAPType { return ASAPType(m.message[0]) }

// Params returns the parameters, after the fixed fields of a known type.
func (m ASAPMessage) Params() Params { return m.params(asapHeaderLen + m.Type().fixedLen()) }

// Unrecognized returns an iterator over the parameters, nested ones
// included, whose types this package does not know.
func (m ASAPMessage) Unrecognized() UnrecognizedIter {
	return unrecognized(m.message, asapHeaderLen+m.Type().fixedLen())
}

// Decode decodes the message into v, whose type must match the message's.
// Variable-length fields of v alias the message, and slices v already holds
// are reused. On error, v is partly filled.
func (m ASAPMessage) Decode(v ASAPValue) error {
	if len(m.message) < asapHeaderLen {
		return errShort("message header", 0, asapHeaderLen, len(m.message))
	}
	if m.Type() != v.ASAPType() {
		return errAt("message type", 0, fmt.Sprintf("%s, want %s", m.Type(), v.ASAPType()))
	}
	return m.decode(asapHeaderLen, v)
}

// ASAPValue is implemented by the pointer types of the ASAP messages.
type ASAPValue interface {
	ASAPType() ASAPType
	walker
}

// AppendASAP appends the message v to b. The message must fit in 65535
// bytes; ASAPLen tells its size beforehand.
func AppendASAP(b []byte, v ASAPValue) []byte {
	b, start := beginMessage(b, uint8(v.ASAPType()))
	return endMessage(v.walk(codec{mode: encoding, b: b}), start)
}

// ASAPLen returns the number of bytes AppendASAP writes for v.
func ASAPLen(v ASAPValue) int { return asapHeaderLen + walkLen(v) }

// ENRPMessage is a view of one ENRP message. The zero ENRPMessage is not a
// message; get one from ParseENRP.
type ENRPMessage struct{ message }

// ParseENRP checks the header and length of the ENRP message in b and
// returns a view of it, as ParseASAP does for ASAP.
func ParseENRP(b []byte) (ENRPMessage, error) {
	m, err := parseMessage(b, enrpHeaderLen)
	return ENRPMessage{m}, err
}

// Type returns the message type.
func (m ENRPMessage) Type() ENRPType { return ENRPType(m.message[0]) }

// Sender returns the sending server's ID.
func (m ENRPMessage) Sender() ServerID { return ServerID(be.Uint32(m.message[4:])) }

// Receiver returns the receiving server's ID, 0 if the message is for
// every registrar.
func (m ENRPMessage) Receiver() ServerID { return ServerID(be.Uint32(m.message[8:])) }

// Params returns the parameters, after the fixed fields of a known type.
func (m ENRPMessage) Params() Params { return m.params(enrpHeaderLen + m.Type().fixedLen()) }

// Unrecognized returns an iterator over the parameters, nested ones
// included, whose types this package does not know.
func (m ENRPMessage) Unrecognized() UnrecognizedIter {
	return unrecognized(m.message, enrpHeaderLen+m.Type().fixedLen())
}

// Decode decodes the message into v, as ASAPMessage.Decode does.
func (m ENRPMessage) Decode(v ENRPValue) error {
	if len(m.message) < enrpHeaderLen {
		return errShort("message header", 0, enrpHeaderLen, len(m.message))
	}
	if m.Type() != v.ENRPType() {
		return errAt("message type", 0, fmt.Sprintf("%s, want %s", m.Type(), v.ENRPType()))
	}
	*v.enrpHeader() = ENRPHeader{Sender: m.Sender(), Receiver: m.Receiver()}
	return m.decode(enrpHeaderLen, v)
}

// ENRPHeader holds the server identifiers every ENRP message carries.
type ENRPHeader struct {
	Sender   ServerID
	Receiver ServerID // 0 addresses every registrar
}

func (h *ENRPHeader) enrpHeader() *ENRPHeader { return h }

// Header returns the header, to read or set the server IDs of any ENRP
// message.
func (h *ENRPHeader) Header() *ENRPHeader { return h }

// ENRPValue is implemented by the pointer types of the ENRP messages.
type ENRPValue interface {
	ENRPType() ENRPType
	Header() *ENRPHeader
	enrpHeader() *ENRPHeader
	walker
}

// AppendENRP appends the message v to b. The message must fit in 65535
// bytes; ENRPLen tells its size beforehand.
func AppendENRP(b []byte, v ENRPValue) []byte {
	b, start := beginMessage(b, uint8(v.ENRPType()))
	h := v.enrpHeader()
	b = be.AppendUint32(be.AppendUint32(b, uint32(h.Sender)), uint32(h.Receiver))
	return endMessage(v.walk(codec{mode: encoding, b: b}), start)
}

// ENRPLen returns the number of bytes AppendENRP writes for v.
func ENRPLen(v ENRPValue) int { return enrpHeaderLen + walkLen(v) }
