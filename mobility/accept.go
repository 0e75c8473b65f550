package mobility

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

const (
	// acceptQueue is how many new sessions wait for Accept; more are
	// refused.
	acceptQueue = 16
	// openTimeout bounds the wait for a new association's opening
	// Cookie Echo.
	openTimeout = 10 * time.Second
)

// Why an association is refused.
var (
	ErrUnknownSession = errors.New("mobility: the association claims to continue an unknown session")
	errNoOpening      = errors.New("mobility: the association opened no session")
	errAcceptQueue    = errors.New("mobility: too many sessions wait for Accept")
)

// acceptLoop takes the element's associations from pool users and
// classifies each, until the node closes.
func (n *Node) acceptLoop() {
	for {
		a, err := n.el.AcceptAssociation(n.ctx)
		if err != nil {
			return
		}
		n.loops.Go(func() { n.classify(a) })
	}
}

// classify reads the opening Cookie Echo of a: a new session goes to
// Accept, the continuation of one to its Conn; anything else is refused.
func (n *Node) classify(a *stack.Association) {
	ctx, cancel := context.WithTimeout(n.ctx, openTimeout)
	defer cancel()
	m, early, err := readOpening(ctx, a)
	if err != nil {
		n.refuse(a, err)
		return
	}
	n.mu.Lock()
	c, known := n.sessions[m.token]
	n.mu.Unlock()
	switch {
	case m.kind == kindResume && known && len(early) == 0:
		if err := c.acceptResume(m); err != nil {
			n.refuse(a, err)
			return
		}
		// The resend may outlast the opening's timeout: it lives as
		// long as the node.
		if err := c.adopt(n.ctx, a, m); err != nil {
			n.refuse(a, err)
		}
	case m.kind == kindResume:
		n.refuse(a, ErrUnknownSession)
	case known:
		n.refuse(a, errors.New("mobility: a new session with a token in use"))
	default:
		n.open(a, m, early)
	}
}

// open starts a new accepted session, answers its opening with our
// public key, and queues it for Accept.
func (n *Node) open(a *stack.Association, m sessionMsg, early []inMsg) {
	priv := newKeyPair()
	key, err := deriveKey(priv, m.pub, m.token)
	if err != nil {
		n.refuse(a, fmt.Errorf("%w: %v", errNoOpening, err))
		return
	}
	c, err := n.start(a, opening{tok: m.token, key: key, early: early})
	if err != nil {
		n.refuse(a, err)
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, openTimeout)
	defer cancel()
	if err := sendSession(ctx, a, sessionMsg{kind: kindOpened, token: m.token, pub: publicKey(priv)}); err != nil {
		n.refuse(a, err)
		c.Close()
		return
	}
	n.mu.Lock()
	n.sessions[m.token] = c
	n.mu.Unlock()
	select {
	case n.accepted <- c:
	default:
		n.refuse(a, errAcceptQueue)
		c.Close()
	}
}

// refuse aborts a and reports why.
func (n *Node) refuse(a *stack.Association, why error) {
	from := a.RemoteAddr().Addr()
	a.Abort(why.Error())
	n.refused.Add(1)
	n.events.Post(Event{Type: EventResumeRefused, Time: time.Now(), Addr: from, Err: why})
}

// readOpening reads a's messages up to the dialler's opening Cookie Echo
// on stream 0, and returns it with the application messages that came
// before it (SCTP orders each stream, not the streams among themselves).
func readOpening(ctx context.Context, a *stack.Association) (sessionMsg, []inMsg, error) {
	buf := make([]byte, 64<<10)
	var early []inMsg
	var msg []byte
	for {
		n, info, err := a.RecvMsg(ctx, buf)
		if errors.Is(err, io.EOF) || errors.Is(err, context.DeadlineExceeded) {
			return sessionMsg{}, nil, errNoOpening
		}
		if err != nil {
			return sessionMsg{}, nil, err
		}
		msg = append(msg, buf[:n]...)
		if !info.EOR {
			continue
		}
		switch {
		case info.Stream == controlStream:
			if info.PPID != wire.PPIDASAP {
				return sessionMsg{}, nil, errNoOpening
			}
			m, err := parseControl(msg)
			if err != nil || m.session == nil || !m.echo {
				return sessionMsg{}, nil, errNoOpening
			}
			return *m.session, early, nil
		case info.PPID != wire.PPIDASAP:
			if len(early) == earlyLimit {
				return sessionMsg{}, nil, errNoOpening
			}
			early = append(early, inMsg{stream: info.Stream, data: msg})
		}
		msg = nil
	}
}
