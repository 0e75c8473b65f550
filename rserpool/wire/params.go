package wire

// The parameters whose value is a single field: Pool Handle, Cookie, PE
// Identifier and PE Checksum (RFC 5354), and the Handle Resolution Option of
// draft-dreibholz-rserpool-asap-hropt.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x09           |        Length = 4 + n         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                  Pool Handle (n bytes), padded                :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0d           |        Length = 4 + n         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                    Cookie (n bytes), padded                   :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0e           |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         PE Identifier                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x0f           |          Length = 6           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          PE Checksum          |        (2 bytes padding)      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x803f         |          Length = 8           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             Items                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// PoolHandle names a pool. It is an opaque, non-empty byte string, often
// text. A decoded handle aliases the message it came from.
type PoolHandle []byte

// ParamType implements ParamValue.
func (PoolHandle) ParamType() ParamType { return ParamPoolHandle }

// ValueLen implements ParamValue.
func (h PoolHandle) ValueLen() int { return len(h) }

// AppendValue implements ParamValue.
func (h PoolHandle) AppendValue(b []byte) []byte { return append(b, h...) }

// Decode fills h from p.
func (h *PoolHandle) Decode(p Param) error {
	if err := expectParam(p, ParamPoolHandle); err != nil {
		return err
	}
	if len(p.Value()) == 0 {
		return errAt("Pool Handle length", 2, "empty pool handle")
	}
	*h = PoolHandle(p.Value())
	return nil
}

// Cookie is the opaque state a pool element hands to a pool user, which
// echoes it after a failover (RFC 5352). A
// decoded cookie aliases the message it came from.
type Cookie []byte

// ParamType implements ParamValue.
func (Cookie) ParamType() ParamType { return ParamCookie }

// ValueLen implements ParamValue.
func (k Cookie) ValueLen() int { return len(k) }

// AppendValue implements ParamValue.
func (k Cookie) AppendValue(b []byte) []byte { return append(b, k...) }

// Decode fills k from p.
func (k *Cookie) Decode(p Param) error {
	if err := expectParam(p, ParamCookie); err != nil {
		return err
	}
	*k = Cookie(p.Value())
	return nil
}

// PEID is a pool element identifier, chosen by the element at random and
// unique within its pool.
type PEID uint32

// ParamType implements ParamValue.
func (PEID) ParamType() ParamType { return ParamPEIdentifier }

// ValueLen implements ParamValue.
func (PEID) ValueLen() int { return 4 }

// AppendValue implements ParamValue.
func (id PEID) AppendValue(b []byte) []byte { return be.AppendUint32(b, uint32(id)) }

// Decode fills id from p.
func (id *PEID) Decode(p Param) error { return decode32(p, ParamPEIdentifier, id) }

// ResolutionItems is the Handle Resolution Option: how many pool elements a
// pool user wants in the Handle Resolution Response.
type ResolutionItems uint32

// AllItems asks for as many pool elements as the registrar will give; it is
// the value RSPLIB sends for that request.
const AllItems ResolutionItems = 0xffffffff

// ParamType implements ParamValue.
func (ResolutionItems) ParamType() ParamType { return ParamHandleResolutionOption }

// ValueLen implements ParamValue.
func (ResolutionItems) ValueLen() int { return 4 }

// AppendValue implements ParamValue.
func (n ResolutionItems) AppendValue(b []byte) []byte { return be.AppendUint32(b, uint32(n)) }

// Decode fills n from p.
func (n *ResolutionItems) Decode(p Param) error { return decode32(p, ParamHandleResolutionOption, n) }

// PEChecksum is the checksum over the identifiers of the pool elements a
// registrar owns (RFC 5353), carried by ENRP Presence.
type PEChecksum uint16

// ParamType implements ParamValue.
func (PEChecksum) ParamType() ParamType { return ParamPEChecksum }

// ValueLen implements ParamValue.
func (PEChecksum) ValueLen() int { return 2 }

// AppendValue implements ParamValue.
func (s PEChecksum) AppendValue(b []byte) []byte { return be.AppendUint16(b, uint16(s)) }

// Decode fills s from p.
func (s *PEChecksum) Decode(p Param) error {
	if err := expectValueLen(p, ParamPEChecksum, 2); err != nil {
		return err
	}
	*s = PEChecksum(be.Uint16(p.Value()))
	return nil
}

// decode32 decodes a parameter of type t whose value is one 32-bit number.
func decode32[T ~uint32](p Param, t ParamType, v *T) error {
	if err := expectValueLen(p, t, 4); err != nil {
		return err
	}
	*v = T(be.Uint32(p.Value()))
	return nil
}
