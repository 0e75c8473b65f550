package wire

// The ENRP messages of RFC 5353. Each follows the common header with the two
// server IDs (see message.go); the flags and fields after it are:
//
//	Type  Message                Flags  Fields and parameters
//	0x01  Presence               R      PE Checksum, [Server Information]
//	0x02  Handle Table Request   W      -
//	0x03  Handle Table Response  M, R   (Pool Handle, Pool Element+)*
//	0x04  Handle Update          T      Update Action (16 bits), reserved
//	                                    (16 bits), Pool Handle, Pool Element
//	0x05  List Request                  -
//	0x06  List Response          R      Server Information*
//	0x07  Init Takeover                 Target Server ID (32 bits)
//	0x08  Init Takeover Ack             Target Server ID (32 bits)
//	0x09  Takeover Server               Target Server ID (32 bits)
//	0x0a  Error                         Operation Error
//
// Every flag is the lowest bit of the flags byte but M, the second lowest:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Type = 0x03  |0|0|0|0|0|0|M|R|        Message Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Sending Server's ID                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Receiving Server's ID                     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:            Pool Entry #1: Pool Handle, Pool Element+          :
//	:                              ...                              :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The T (takeover suggested) flag comes from
// draft-dreibholz-rserpool-enrp-takeover. RSPLIB sends it, and Wireshark
// decodes it, on Handle Update; so does this package.

import "fmt"

// ENRPType identifies an ENRP message.
type ENRPType uint8

// ENRP message types.
const (
	ENRPPresence            ENRPType = 0x01
	ENRPHandleTableRequest  ENRPType = 0x02
	ENRPHandleTableResponse ENRPType = 0x03
	ENRPHandleUpdate        ENRPType = 0x04
	ENRPListRequest         ENRPType = 0x05
	ENRPListResponse        ENRPType = 0x06
	ENRPInitTakeover        ENRPType = 0x07
	ENRPInitTakeoverAck     ENRPType = 0x08
	ENRPTakeoverServer      ENRPType = 0x09
	ENRPError               ENRPType = 0x0a
)

var enrpNames = [...]string{
	ENRPPresence:            "Presence",
	ENRPHandleTableRequest:  "Handle Table Request",
	ENRPHandleTableResponse: "Handle Table Response",
	ENRPHandleUpdate:        "Handle Update",
	ENRPListRequest:         "List Request",
	ENRPListResponse:        "List Response",
	ENRPInitTakeover:        "Init Takeover",
	ENRPInitTakeoverAck:     "Init Takeover Ack",
	ENRPTakeoverServer:      "Takeover Server",
	ENRPError:               "Error",
}

func (t ENRPType) String() string {
	if t.Known() {
		return "ENRP " + enrpNames[t]
	}
	return fmt.Sprintf("ENRP type %#02x", uint8(t))
}

// Known reports whether this package decodes messages of type t.
func (t ENRPType) Known() bool { return t >= ENRPPresence && t <= ENRPError }

// fixedLen returns the size of the fixed fields between the header and the
// parameters of messages of type t.
func (t ENRPType) fixedLen() int {
	switch t {
	case ENRPHandleUpdate, ENRPInitTakeover, ENRPInitTakeoverAck, ENRPTakeoverServer:
		return 4
	}
	return 0
}

const (
	flagReplyRequired     = 0x01 // R: Presence
	flagOwnChildrenOnly   = 0x01 // W: Handle Table Request
	flagRejectENRP        = 0x01 // R: Handle Table Response, List Response
	flagMoreToSend        = 0x02 // M: Handle Table Response
	flagTakeoverSuggested = 0x01 // T: Handle Update
)

// UpdateAction says what a Handle Update does to the pool element it
// carries.
type UpdateAction uint16

// Update actions of RFC 5353.
const (
	AddPE UpdateAction = 0
	DelPE UpdateAction = 1
)

func (a UpdateAction) String() string {
	switch a {
	case AddPE:
		return "add PE"
	case DelPE:
		return "delete PE"
	}
	return fmt.Sprintf("update action %d", uint16(a))
}

// Presence is a registrar's periodic heartbeat to its peers, with the
// checksum of the pool elements it owns.
type Presence struct {
	ENRPHeader
	ReplyRequired bool // R flag: the receiver answers with a Presence
	Checksum      PEChecksum
	Server        ServerInfo // the sender; optional, zero Transport.Type if absent
}

// HandleTableRequest asks a peer for its handle table.
type HandleTableRequest struct {
	ENRPHeader
	OwnChildrenOnly bool // W flag: only the elements the peer is home for
}

// PoolEntry is one pool of a Handle Table Response.
type PoolEntry struct {
	Handle   PoolHandle
	Elements []PoolElement
}

// HandleTableResponse carries (part of) a registrar's handle table.
type HandleTableResponse struct {
	ENRPHeader
	Reject     bool // R flag: the request was refused
	MoreToSend bool // M flag: ask again for the rest
	Entries    []PoolEntry
}

// HandleUpdate tells the peers that a pool element was added or removed.
type HandleUpdate struct {
	ENRPHeader
	// TakeoverSuggested is the T flag: the receiver should take the
	// element over.
	TakeoverSuggested bool
	Action            UpdateAction
	Handle            PoolHandle
	Element           PoolElement
}

// ListRequest asks a peer for the registrars it knows.
type ListRequest struct {
	ENRPHeader
}

// ListResponse answers a List Request.
type ListResponse struct {
	ENRPHeader
	Reject  bool // R flag: the request was refused
	Servers []ServerInfo
}

// InitTakeover announces that the sender takes over the pool elements of
// the target registrar, which it believes dead.
type InitTakeover struct {
	ENRPHeader
	Target ServerID
}

// InitTakeoverAck agrees to an Init Takeover.
type InitTakeoverAck struct {
	ENRPHeader
	Target ServerID
}

// TakeoverServer announces that a takeover has completed.
type TakeoverServer struct {
	ENRPHeader
	Target ServerID
}

// ENRPErrorMessage reports an error, such as an unrecognized parameter.
type ENRPErrorMessage struct {
	ENRPHeader
	Error OperationError
}

func (m *Presence) walk(c codec) codec {
	c.flag(&m.ReplyRequired, flagReplyRequired)
	one(&c, &m.Checksum, ParamPEChecksum)
	opt(&c, &m.Server, ParamServerInformation, m.Server.Transport.Type != 0)
	return c
}

func (m *HandleTableRequest) walk(c codec) codec {
	c.flag(&m.OwnChildrenOnly, flagOwnChildrenOnly)
	return c
}

func (m *HandleTableResponse) walk(c codec) codec {
	c.flag(&m.Reject, flagRejectENRP)
	c.flag(&m.MoreToSend, flagMoreToSend)
	if c.mode != decoding {
		for i := range m.Entries {
			c = m.Entries[i].walk(c)
		}
		return c
	}
	m.Entries = m.Entries[:0]
	for {
		if _, ok := c.match(ParamPoolHandle); !ok {
			return c
		}
		m.Entries = grow(m.Entries)
		c = m.Entries[len(m.Entries)-1].walk(c)
	}
}

func (e *PoolEntry) walk(c codec) codec {
	one(&c, &e.Handle, ParamPoolHandle)
	many(&c, &e.Elements, ParamPoolElement)
	return c
}

func (m *HandleUpdate) walk(c codec) codec {
	c.flag(&m.TakeoverSuggested, flagTakeoverSuggested)
	fixed16(&c, &m.Action, "update action")
	c.reserved(2)
	one(&c, &m.Handle, ParamPoolHandle)
	one(&c, &m.Element, ParamPoolElement)
	return c
}

func (m *ListRequest) walk(c codec) codec { return c }

func (m *ListResponse) walk(c codec) codec {
	c.flag(&m.Reject, flagRejectENRP)
	many(&c, &m.Servers, ParamServerInformation)
	return c
}

func (m *InitTakeover) walk(c codec) codec { return walkTarget(c, &m.Target) }

func (m *InitTakeoverAck) walk(c codec) codec { return walkTarget(c, &m.Target) }

func (m *TakeoverServer) walk(c codec) codec { return walkTarget(c, &m.Target) }

func (m *ENRPErrorMessage) walk(c codec) codec {
	one(&c, &m.Error, ParamOperationError)
	return c
}

// walkTarget lays out the body the three takeover messages share.
func walkTarget(c codec, target *ServerID) codec {
	fixed32(&c, target, "target server's ID")
	return c
}

// ENRPType implements ENRPValue.
func (*Presence) ENRPType() ENRPType { return ENRPPresence }

// ENRPType implements ENRPValue.
func (*HandleTableRequest) ENRPType() ENRPType { return ENRPHandleTableRequest }

// ENRPType implements ENRPValue.
func (*HandleTableResponse) ENRPType() ENRPType { return ENRPHandleTableResponse }

// ENRPType implements ENRPValue.
func (*HandleUpdate) ENRPType() ENRPType { return ENRPHandleUpdate }

// ENRPType implements ENRPValue.
func (*ListRequest) ENRPType() ENRPType { return ENRPListRequest }

// ENRPType implements ENRPValue.
func (*ListResponse) ENRPType() ENRPType { return ENRPListResponse }

// ENRPType implements ENRPValue.
func (*InitTakeover) ENRPType() ENRPType { return ENRPInitTakeover }

// ENRPType implements ENRPValue.
func (*InitTakeoverAck) ENRPType() ENRPType { return ENRPInitTakeoverAck }

// ENRPType implements ENRPValue.
func (*TakeoverServer) ENRPType() ENRPType { return ENRPTakeoverServer }

// ENRPType implements ENRPValue.
func (*ENRPErrorMessage) ENRPType() ENRPType { return ENRPError }
