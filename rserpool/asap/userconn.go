package asap

import (
	"bytes"
	"context"
	"sync/atomic"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// UserConn is a pool user's association with an element, as the element
// sees it. Recv must not be called concurrently with itself; the other
// methods may be.
type UserConn struct {
	a         *stack.Association
	r         *reader
	discarded atomic.Uint64
}

func newUserConn(a *stack.Association) *UserConn {
	return &UserConn{a: a, r: newReader(a)}
}

// Recv returns the next application message, Cookie Echo or Business
// Card. ASAP messages that have no place here, and malformed ones, are
// discarded and counted. After the user shut the association down it
// returns io.EOF.
func (c *UserConn) Recv(ctx context.Context) (Message, error) {
	for {
		b, info, err := c.r.next(ctx)
		if err != nil {
			return Message{}, err
		}
		if info.PPID != wire.PPIDASAP {
			return Message{Type: MessageData, Data: bytes.Clone(b), Stream: info.Stream, PPID: info.PPID}, nil
		}
		m, err := parseControl(b)
		if err != nil || m.Type == MessageCookie { // users send no cookies
			c.discarded.Add(1)
			continue
		}
		m.Stream = info.Stream
		return m, nil
	}
}

// Send sends application data; PPID 11 is reserved for ASAP.
func (c *UserConn) Send(ctx context.Context, data []byte, info stack.SendInfo) error {
	if info.PPID == wire.PPIDASAP {
		return ErrReservedPPID
	}
	return c.a.SendMsg(ctx, data, info)
}

// SendCookie sends an ASAP Cookie: the session state the user keeps and
// echoes to the element that takes over after a failover. Only the last
// cookie counts.
func (c *UserConn) SendCookie(ctx context.Context, cookie []byte) error {
	return sendASAP(ctx, c.a, &wire.CookieMessage{Cookie: cookie})
}

// SendBusinessCard tells the user which elements to fail over to.
func (c *UserConn) SendBusinessCard(ctx context.Context, card wire.BusinessCard) error {
	return sendASAP(ctx, c.a, &card)
}

// Discarded returns the number of ASAP messages discarded.
func (c *UserConn) Discarded() uint64 { return c.discarded.Load() }

// Association returns the SCTP association, for its events and stats.
func (c *UserConn) Association() *stack.Association { return c.a }

// Close shuts the association down gracefully.
func (c *UserConn) Close() error { return c.a.Close() }
