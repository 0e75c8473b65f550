package mobility

import (
	"bytes"
	"context"
	"errors"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Stream 0 belongs to the node: it carries ASAP messages (payload
// protocol identifier 11) that each end reads itself, whatever streams
// the application reads.
//
//   - The dialler opens every association with a Cookie Echo (session.go):
//     a new session, or the continuation of one after a fallback.
//   - A dialler with a handle then sends an ASAP Business Card (RFC 5352
//     section 2.2.11) naming it, so that the acceptor can resolve it
//     after a move. A pool user has no handle (RFC 5354 allows no empty
//     one) and sends no card: its peer then cannot resolve it and waits
//     for its ASCONF instead (the asymmetric setup).
//   - Either end checkpoints what it delivered in a Cookie.

// controlStream is the stream the node keeps for ASAP session control.
const controlStream = 0

// errControlStream refuses the application the node's stream.
var errControlStream = errors.New("mobility: stream 0 carries the node's session control")

// control is a message of the control stream.
type control struct {
	card    wire.PoolHandle // a Business Card's handle, or nil
	session *sessionMsg     // a session cookie, or nil
	echo    bool            // the session cookie came in a Cookie Echo (from the dialler)
}

var errControl = errors.New("mobility: unexpected message on the control stream")

func parseControl(b []byte) (control, error) {
	m, err := wire.ParseASAP(b)
	if err != nil {
		return control{}, err
	}
	var cookie wire.Cookie
	switch m.Type() {
	case wire.ASAPBusinessCard:
		var card wire.BusinessCard
		if err := m.Decode(&card); err != nil {
			return control{}, err
		}
		return control{card: bytes.Clone(card.Handle)}, nil
	case wire.ASAPCookie:
		var c wire.CookieMessage
		err, cookie = m.Decode(&c), c.Cookie
		if err != nil {
			return control{}, err
		}
	case wire.ASAPCookieEcho:
		var c wire.CookieEcho
		err, cookie = m.Decode(&c), c.Cookie
		if err != nil {
			return control{}, err
		}
	default:
		return control{}, errControl
	}
	s, err := parseSession(cookie)
	if err != nil {
		return control{}, err
	}
	echo := m.Type() == wire.ASAPCookieEcho
	if echo != (s.kind == kindOpen || s.kind == kindResume) {
		return control{}, errSessionCookie // a dialler's kind in an acceptor's message, or the reverse
	}
	return control{session: &s, echo: echo}, nil
}

// sendSession sends a session cookie: the dialler's kinds in a Cookie
// Echo, the others in a Cookie.
func sendSession(ctx context.Context, a *stack.Association, m sessionMsg) error {
	var v wire.ASAPValue = &wire.CookieMessage{Cookie: m.append(nil)}
	if m.kind == kindOpen || m.kind == kindResume {
		v = &wire.CookieEcho{Cookie: m.append(nil)}
	}
	return sendControl(ctx, a, v)
}

func sendCard(ctx context.Context, a *stack.Association, handle wire.PoolHandle) error {
	return sendControl(ctx, a, &wire.BusinessCard{Handle: handle})
}

func sendControl(ctx context.Context, a *stack.Association, v wire.ASAPValue) error {
	return a.SendMsg(ctx, wire.AppendASAP(nil, v), stack.SendInfo{Stream: controlStream, PPID: wire.PPIDASAP})
}
