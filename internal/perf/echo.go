package perf

import (
	"context"

	"github.com/mobisctp/mobisctp/stack"
)

// echoer sends every message a server receives back to the client: same
// stream, PPID and unordered flag.
type echoer struct {
	a       *stack.Association
	sent    *flow
	msg     []byte          // the message being reassembled from its parts
	stopped func(err error) // called once, when a send fails
	failed  bool
}

// part takes the next part read; the message goes back once complete.
func (e *echoer) part(p []byte, info stack.RecvInfo) {
	if e.failed {
		return
	}
	e.msg = append(e.msg, p...)
	if !info.EOR {
		return
	}
	si := stack.SendInfo{Stream: info.Stream, PPID: info.PPID, Unordered: info.Unordered}
	// SendMsg fails once the association shuts down: a client that
	// shuts down before its echoes came back loses the rest.
	if err := e.a.SendMsg(context.Background(), e.msg, si); err != nil {
		e.failed = true
		e.stopped(err)
		return
	}
	e.sent.add(info.Stream, e.msg, true)
	e.msg = e.msg[:0]
}
