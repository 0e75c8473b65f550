package addip

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// requestHeaderLen is the parameter header and correlation ID in front of
// a request's Address Parameter.
const requestHeaderLen = 8

// broadcast4 is the limited broadcast address, which a request must not
// carry (RFC 5061 section 4.2.1).
var broadcast4 = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// responder builds the response list of one ASCONF.
type responder struct {
	peer     Peer
	source   netip.Addr
	out      wire.Params
	failed   bool // an Error Cause Indication was written
	shortage bool // an Add IP Address ran out of resources
}

// respond applies the parameters of an ASCONF in order (RFC 5061 section
// 5.2 V1) and returns the response parameters of its ASCONF-ACK. A
// success is implicit until the first failure and explicit after it, so
// that the sender reads every outcome right (section 5.1).
func respond(ps wire.Params, source netip.Addr, peer Peer) wire.Params {
	rs := responder{peer: peer, source: source.Unmap()}
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		if !rs.handle(p, it) {
			break
		}
	}
	return rs.out
}

// handle takes in one parameter; rest iterates over those after it. It
// returns false to stop processing the ASCONF.
func (rs *responder) handle(p wire.Param, rest wire.ParamIter) bool {
	switch t := p.Type(); t {
	case wire.ParamAddIP, wire.ParamDeleteIP, wire.ParamSetPrimary:
		rs.request(p)
	case wire.ParamSuccessIndication, wire.ParamErrorCauseIndication, wire.ParamAdaptationLayer:
		// RFC 5061 parameters that request nothing: skipped.
	default:
		return rs.unknown(p, rest)
	}
	return true
}

// unknown follows the action bits of a parameter not understood (RFC 5061
// section 5.2 V2, RFC 9260 section 3.2.1), reporting it as Unrecognized
// Parameters in an Error Cause Indication that carries the four bytes
// after its header as correlation ID. When it stops processing ahead of
// further requests, it is reported even without the report bit: else the
// skipped requests would read as implicit successes.
func (rs *responder) unknown(p wire.Param, rest wire.ParamIter) bool {
	a := p.Type().Action()
	if a.Report() || (a.Stop() && requestFollows(rest)) {
		rs.fail(correlationOf(p), &wire.UnrecognizedParamsCause{Params: wire.Params(p)})
	}
	return !a.Stop()
}

// requestFollows reports whether a request parameter is still to come.
func requestFollows(it wire.ParamIter) bool {
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		if _, isReq := opOf(p.Type()); isReq {
			return true
		}
	}
	return false
}

// request applies one request and writes its response, if it needs one.
func (rs *responder) request(p wire.Param) {
	var r wire.AddressRequestParam
	if err := r.Decode(p); err != nil {
		rs.fail(correlationOf(p), malformedCause(p))
		return
	}
	if err := rs.apply(&r); err != nil {
		rs.fail(r.CorrelationID, causeFor(err, p))
		return
	}
	if rs.failed {
		rs.out = wire.AppendParam(rs.out, &wire.SuccessIndicationParam{CorrelationID: r.CorrelationID})
	}
}

// apply carries out a well-formed request through the Peer, after the
// checks RFC 5061 leaves to the receiver of an ASCONF: no broadcast or
// multicast address (section 4.2.1), and after an Add IP Address refused for lack of resources, no
// further Add or Delete IP Address in the same ASCONF (section 5.3).
func (rs *responder) apply(r *wire.AddressRequestParam) error {
	addr := r.Address.Unmap()
	if addr.IsMulticast() || addr == broadcast4 {
		return ErrUnresolvableAddress
	}
	op, _ := opOf(r.Type)
	if rs.shortage && op != SetPrimary {
		return ErrResourceShortage
	}
	switch op {
	case AddIP:
		err := rs.peer.AddPeerAddress(rs.orSource(addr))
		rs.shortage = errors.Is(err, ErrResourceShortage)
		return err
	case DeleteIP:
		// The peer checks the source too: deleting the last address is
		// the stronger refusal when both apply (section 5.3 F5 and F8).
		return rs.peer.DeletePeerAddress(addr, rs.source)
	default:
		return rs.peer.SetPeerPrimary(rs.orSource(addr))
	}
}

// orSource replaces the wildcard by the packet's source address (RFC 5061
// sections 4.2.1 and 4.2.4).
func (rs *responder) orSource(addr netip.Addr) netip.Addr {
	if addr.IsUnspecified() {
		return rs.source
	}
	return addr
}

// fail writes an Error Cause Indication with one cause.
func (rs *responder) fail(id uint32, c wire.CauseValue) {
	eci := wire.ErrorCauseIndicationParam{CorrelationID: id, Causes: wire.AppendCause(nil, c)}
	rs.out = wire.AppendParam(rs.out, &eci)
	rs.failed = true
}

// correlationOf returns the correlation ID of a parameter laid out like
// the RFC 5061 ones, or zero if it is too short to have one.
func correlationOf(p wire.Param) uint32 {
	if len(p) < requestHeaderLen {
		return 0
	}
	return binary.BigEndian.Uint32(p[4:])
}

// malformedCause reports a request that does not decode: Unresolvable
// Address for an address parameter of another kind (such as a Host Name
// Address), else Invalid Mandatory Parameter.
func malformedCause(p wire.Param) wire.CauseValue {
	if len(p) > requestHeaderLen {
		if a, err := wire.ParseParam(p[requestHeaderLen:]); err == nil {
			return &wire.UnresolvableAddrCause{Address: a}
		}
	}
	return &wire.EmptyCause{Code: wire.CauseInvalidMandatoryParam}
}
