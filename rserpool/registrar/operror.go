package registrar

import (
	"errors"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Errors are answered as RFC 5352 and RFC 5353 say: a message that does not
// decode gets an Error message with an Invalid Values cause carrying the
// offending parameter; a message of an unknown type gets one with an
// Unrecognized Message cause carrying the message; unknown parameters whose
// action bits ask for a report get Unrecognized Parameter causes. Those
// causes must carry what they name (tshark calls them malformed without),
// so when there is no parameter to blame (a bad header, a missing
// parameter) or the item is too large to return, the cause is Unspecified
// Error. An Error message is never answered, whatever its state, so that
// two peers cannot bounce errors forever.

// errorOverhead is what an Error message adds around one cause's
// information: message header (ENRP's is the larger), Operation Error
// parameter header and cause header.
const errorOverhead = 12 + 2*wire.ParamHeaderLen

// protocol is ASAP or ENRP, as far as error replies are concerned.
type protocol uint8

const (
	asap protocol = iota
	enrp
)

// replyErrors appends an Error message with causes to s's outbox. to is
// the ENRP receiver (the requester's server ID).
func (c *core) replyErrors(s *session, p protocol, to wire.ServerID, causes ...wire.Cause) {
	for _, cause := range causes {
		c.stats.causeSent(cause.Code)
	}
	op := wire.OperationError{Causes: causes}
	if p == enrp {
		m := wire.ENRPErrorMessage{ENRPHeader: wire.ENRPHeader{Sender: c.cfg.ServerID, Receiver: to}, Error: op}
		s.out.buf = wire.AppendENRP(s.out.buf, &m)
		s.out.mark(wire.PPIDENRP)
		return
	}
	s.out.buf = wire.AppendASAP(s.out.buf, &wire.ASAPErrorMessage{Error: op})
	s.out.mark(wire.PPIDASAP)
}

// malformed answers a message that failed to decode with err; params is
// the message's parameter list (a suffix of msg), nil if the header itself
// was bad.
func (c *core) malformed(s *session, p protocol, to wire.ServerID, msg []byte, params wire.Params, err error) {
	c.stats.Malformed++
	c.log.Debugf("malformed message from %v: %v", s.from, err)
	var info []byte
	var pe *wire.ParseError
	if errors.As(err, &pe) && params != nil {
		info = paramAt(params, pe.Offset-(len(msg)-len(params)))
	}
	c.replyErrors(s, p, to, causeWith(wire.CauseInvalidValues, info))
}

// causeWith returns a cause with code and info, or an Unspecified Error if
// there is no info to give.
func causeWith(code wire.CauseCode, info []byte) wire.Cause {
	if info == nil {
		return wire.Cause{Code: wire.CauseUnspecified}
	}
	return wire.Cause{Code: code, Info: info}
}

// unrecognizedMessage answers a message of a type this registrar does not
// know, returning the message as RFC 5352 asks (if it fits in an answer).
func (c *core) unrecognizedMessage(s *session, p protocol, to wire.ServerID, msg []byte) {
	c.stats.Unrecognized++
	if len(msg) > maxMessage-errorOverhead {
		msg = nil
	}
	c.replyErrors(s, p, to, causeWith(wire.CauseUnrecognizedMessage, msg))
}

// paramAt returns the top-level parameter of list that holds byte off of
// the list, if it fits in an Error message; nil otherwise.
func paramAt(list wire.Params, off int) []byte {
	start := 0
	for off >= 0 && start < len(list) {
		p, err := wire.ParseParam(list[start:])
		if err != nil {
			return nil
		}
		if off < start+len(p) {
			if len(p) > maxMessage-errorOverhead {
				return nil
			}
			return p
		}
		start += (len(p) + 3) &^ 3 // the padding that follows
	}
	return nil
}

// unrecognizedParams applies the action bits of the parameters of m that
// this registrar does not know: it returns the Unrecognized Parameter
// causes to report, and whether processing must stop.
func unrecognizedParams(m wire.ASAPMessage) (reports []wire.Cause, stop bool) {
	room := maxMessage - errorOverhead // what the Error message can still take
	it := m.Unrecognized()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		a := p.Type().Action()
		if size := (len(p)+3)&^3 + wire.ParamHeaderLen; a.Report() && size <= room {
			reports = append(reports, wire.Cause{Code: wire.CauseUnrecognizedParameter, Info: p})
			room -= size
		}
		if a.Stop() {
			return reports, true
		}
	}
	return reports, false
}

// withParam returns a cause whose information is the parameter v.
func withParam(code wire.CauseCode, v wire.ParamValue) wire.Cause {
	return wire.Cause{Code: code, Info: wire.AppendParam(nil, v)}
}
