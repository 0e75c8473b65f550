package wire

// The Pool Element and Server Information parameters (RFC 5354) describe a
// pool element and a registrar. Both start with fixed fields and go on with
// other parameters.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0a           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         PE Identifier                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Home ENRP Server Identifier                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Registration Life                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                   User Transport parameter                    :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:              Member Selection Policy parameter                :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:              ASAP Transport parameter (optional)              :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0b           |            Length             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Server ID                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                  Server Transport parameter                   :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// ServerID identifies a registrar (an ENRP server) within its operation
// scope.
type ServerID uint32

// PoolElement is the Pool Element parameter: one member of a pool, as it
// registers and as registrars and pool users see it.
type PoolElement struct {
	ID            PEID
	HomeServer    ServerID // the registrar in charge of the element, set by registrars
	RegLife       uint32   // registration life, in milliseconds
	UserTransport Transport
	Policy        Policy
	// ASAPTransport is where the element talks ASAP to its registrar, set
	// by registrars in ENRP messages. A zero Type means absent.
	ASAPTransport Transport
}

func (e *PoolElement) walk(c codec) codec {
	fixed32(&c, &e.ID, "PE identifier")
	fixed32(&c, &e.HomeServer, "home ENRP server identifier")
	fixed32(&c, &e.RegLife, "registration life")
	one(&c, &e.UserTransport, anyTransport)
	one(&c, &e.Policy, ParamPolicy)
	opt(&c, &e.ASAPTransport, anyTransport, e.ASAPTransport.Type != 0)
	return c
}

// ParamType implements ParamValue.
func (*PoolElement) ParamType() ParamType { return ParamPoolElement }

// ValueLen implements ParamValue.
func (e *PoolElement) ValueLen() int { return walkLen(e) }

// AppendValue implements ParamValue.
func (e *PoolElement) AppendValue(b []byte) []byte { return appendWalk(b, e) }

// Decode fills e from p, reusing the capacity of e's address lists.
func (e *PoolElement) Decode(p Param) error { return decodeParam(p, ParamPoolElement, e) }

// ServerInfo is the Server Information parameter: a registrar and where it
// listens for ENRP.
type ServerInfo struct {
	ID        ServerID
	Transport Transport // zero Type marks an optional ServerInfo as absent
}

func (s *ServerInfo) walk(c codec) codec {
	fixed32(&c, &s.ID, "server ID")
	one(&c, &s.Transport, anyTransport)
	return c
}

// ParamType implements ParamValue.
func (*ServerInfo) ParamType() ParamType { return ParamServerInformation }

// ValueLen implements ParamValue.
func (s *ServerInfo) ValueLen() int { return walkLen(s) }

// AppendValue implements ParamValue.
func (s *ServerInfo) AppendValue(b []byte) []byte { return appendWalk(b, s) }

// Decode fills s from p, reusing the capacity of its address list.
func (s *ServerInfo) Decode(p Param) error { return decodeParam(p, ParamServerInformation, s) }
