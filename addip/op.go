package addip

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Op is the kind of an address change request (RFC 5061 section 4.2).
type Op uint8

// The three requests an ASCONF carries.
const (
	AddIP      Op = iota + 1 // Add IP Address, section 4.2.1
	DeleteIP                 // Delete IP Address, section 4.2.2
	SetPrimary               // Set Primary Address, section 4.2.4
)

// paramType returns the parameter type that carries o.
func (o Op) paramType() wire.ParamType {
	switch o {
	case AddIP:
		return wire.ParamAddIP
	case DeleteIP:
		return wire.ParamDeleteIP
	case SetPrimary:
		return wire.ParamSetPrimary
	}
	return 0
}

func (o Op) String() string { return o.paramType().String() }

// opOf returns the request kind a parameter type carries.
func opOf(t wire.ParamType) (Op, bool) {
	for o := AddIP; o <= SetPrimary; o++ {
		if o.paramType() == t {
			return o, true
		}
	}
	return 0, false
}

// Path is the destination the loop picked for an ASCONF and that
// destination's current RTO, which times T4-RTO (RFC 5061 section 5.1 A4).
type Path struct {
	Dest netip.Addr
	RTO  time.Duration
}
