package enrp

import "github.com/mobisctp/mobisctp/rserpool/wire"

// Decode decodes the ENRP message in b into a new value of its type. The
// value aliases b.
func Decode(b []byte) (wire.ENRPValue, error) {
	m, err := wire.ParseENRP(b)
	if err != nil {
		return nil, err
	}
	v := newValue(m.Type())
	if v == nil {
		return nil, &UnknownTypeError{Type: m.Type()}
	}
	return v, m.Decode(v)
}

// UnknownTypeError is the error of Decode for a message type it does not
// know.
type UnknownTypeError struct{ Type wire.ENRPType }

func (e *UnknownTypeError) Error() string { return "enrp: unknown message type: " + e.Type.String() }

func newValue(t wire.ENRPType) wire.ENRPValue {
	switch t {
	case wire.ENRPPresence:
		return &wire.Presence{}
	case wire.ENRPHandleTableRequest:
		return &wire.HandleTableRequest{}
	case wire.ENRPHandleTableResponse:
		return &wire.HandleTableResponse{}
	case wire.ENRPHandleUpdate:
		return &wire.HandleUpdate{}
	case wire.ENRPListRequest:
		return &wire.ListRequest{}
	case wire.ENRPListResponse:
		return &wire.ListResponse{}
	case wire.ENRPInitTakeover:
		return &wire.InitTakeover{}
	case wire.ENRPInitTakeoverAck:
		return &wire.InitTakeoverAck{}
	case wire.ENRPTakeoverServer:
		return &wire.TakeoverServer{}
	case wire.ENRPError:
		return &wire.ENRPErrorMessage{}
	}
	return nil
}
