package asap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// MessageType says what a Message carries.
type MessageType uint8

// Message types. On an association between a pool user and a pool element,
// messages with payload protocol identifier 11 are ASAP session control;
// all others are the application's.
const (
	MessageData         MessageType = iota + 1 // application data
	MessageCookie                              // ASAP Cookie: element state; Session keeps it, Recv never returns one
	MessageCookieEcho                          // ASAP Cookie Echo: a failed-over user's last cookie
	MessageBusinessCard                        // ASAP Business Card: the sender's pool and failover candidates
)

var messageNames = [...]string{"", "data", "cookie", "cookie echo", "business card"}

func (t MessageType) String() string {
	if int(t) < len(messageNames) && t != 0 {
		return messageNames[t]
	}
	return fmt.Sprintf("message type %d", uint8(t))
}

// Message is one message of a session. The receiver owns its slices.
type Message struct {
	Type MessageType
	// Data is the application data, or the cookie of a Cookie or Cookie
	// Echo.
	Data   []byte
	Stream uint16
	PPID   uint32
	// Card is the Business Card of a MessageBusinessCard.
	Card wire.BusinessCard
}

// errNotControl reports an ASAP message that has no place on a session,
// such as a registration.
var errNotControl = errors.New("asap: not a session control message")

// parseControl decodes ASAP session control received on a session. Any
// input, however malformed, yields a Message or an error.
func parseControl(b []byte) (Message, error) {
	m, err := wire.ParseASAP(b)
	if err != nil {
		return Message{}, err
	}
	msg := Message{PPID: wire.PPIDASAP}
	switch m.Type() {
	case wire.ASAPCookie:
		var c wire.CookieMessage
		err = m.Decode(&c)
		msg.Type, msg.Data = MessageCookie, bytes.Clone(c.Cookie)
	case wire.ASAPCookieEcho:
		var c wire.CookieEcho
		err = m.Decode(&c)
		msg.Type, msg.Data = MessageCookieEcho, bytes.Clone(c.Cookie)
	case wire.ASAPBusinessCard:
		var c wire.BusinessCard
		err = m.Decode(&c)
		msg.Type, msg.Card = MessageBusinessCard, cloneCard(c)
	default:
		err = fmt.Errorf("%w: %v", errNotControl, m.Type())
	}
	if err != nil {
		return Message{}, err
	}
	return msg, nil
}

// sendASAP sends one ASAP message on a, on stream 0: control is ordered
// before the data that follows it on that stream.
func sendASAP(ctx context.Context, a *stack.Association, v wire.ASAPValue) error {
	return a.SendMsg(ctx, wire.AppendASAP(nil, v), stack.SendInfo{PPID: wire.PPIDASAP})
}

// reader reads whole messages from an association into a buffer it
// reuses, growing it for messages that do not fit.
type reader struct {
	a   *stack.Association
	buf []byte
}

// initialBuffer holds the largest ASAP message.
const initialBuffer = 64 << 10

func newReader(a *stack.Association) *reader {
	return &reader{a: a, buf: make([]byte, initialBuffer)}
}

// next returns the next message; it is valid until the following call.
func (r *reader) next(ctx context.Context) ([]byte, stack.RecvInfo, error) {
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = slices.Grow(r.buf, len(r.buf))[:2*len(r.buf)]
		}
		k, info, err := r.a.RecvMsg(ctx, r.buf[n:])
		if err != nil {
			return nil, info, err
		}
		n += k
		if info.EOR {
			return r.buf[:n], info, nil
		}
	}
}

// cloneElement returns a copy of e that shares no memory with it: decoded
// elements alias the message they came from.
func cloneElement(e wire.PoolElement) wire.PoolElement {
	e.UserTransport.Addrs = slices.Clone(e.UserTransport.Addrs)
	e.ASAPTransport.Addrs = slices.Clone(e.ASAPTransport.Addrs)
	return e
}

func cloneElements(es []wire.PoolElement) []wire.PoolElement {
	out := make([]wire.PoolElement, len(es))
	for i, e := range es {
		out[i] = cloneElement(e)
	}
	return out
}

func cloneCard(c wire.BusinessCard) wire.BusinessCard {
	return wire.BusinessCard{Handle: bytes.Clone(c.Handle), Policy: c.Policy, Elements: cloneElements(c.Elements)}
}
