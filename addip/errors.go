package addip

import (
	"errors"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Errors a [Peer] returns to refuse a request; the [Receiver] turns each
// into the error cause RFC 5061 section 4.3 (or RFC 9260 section 3.3.10.5)
// gives it. Any other error is reported as ErrNoAuthorization.
var (
	ErrDeleteLastAddress   = errors.New("addip: request to delete the last remaining IP address")
	ErrResourceShortage    = errors.New("addip: operation refused due to resource shortage")
	ErrDeleteSourceAddress = errors.New("addip: request to delete the source IP address")
	ErrNoAuthorization     = errors.New("addip: request refused, no authorization")
	ErrUnresolvableAddress = errors.New("addip: unresolvable address")
)

// Errors of the [Sender].
var (
	// ErrIllegalAck means an ASCONF-ACK acknowledged a serial number we
	// have not sent (RFC 5061 section 5.3 F0): the association must be
	// aborted with cause "Association Aborted Due to Illegal ASCONF-ACK"
	// (wire.CauseIllegalAsconfAck).
	ErrIllegalAck = errors.New("addip: illegal ASCONF-ACK")
	// ErrUnsupported means the peer answered an earlier request of this
	// kind with "Unrecognized Parameters", so no more may be sent.
	ErrUnsupported = errors.New("addip: the peer does not understand this request")
	// ErrBudget means not even one queued request fits the size budget.
	ErrBudget = errors.New("addip: size budget too small for one request")
	// ErrInvalidAddress means a request or the ASCONF's Address
	// Parameter was given the zero netip.Addr.
	ErrInvalidAddress = errors.New("addip: invalid address")
)

// refusals maps the errors a Peer returns to the causes that carry the
// refused request (RFC 5061 section 4.3).
var refusals = []struct {
	err  error
	code wire.CauseCode
}{
	{ErrDeleteLastAddress, wire.CauseDeleteLastAddress},
	{ErrResourceShortage, wire.CauseResourceShortage},
	{ErrDeleteSourceAddress, wire.CauseDeleteSourceAddress},
}

// causeFor returns the error cause that reports err for the request req,
// a well-formed request parameter.
func causeFor(err error, req wire.Param) wire.CauseValue {
	if errors.Is(err, ErrUnresolvableAddress) {
		return &wire.UnresolvableAddrCause{Address: req[requestHeaderLen:]}
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return &wire.AsconfCause{Code: r.code, Request: req}
		}
	}
	return &wire.AsconfCause{Code: wire.CauseNoAuthorization, Request: req}
}
