package perf

import (
	"bytes"
	"sync/atomic"

	"github.com/mobisctp/mobisctp/stack"
)

// echoCheck verifies the messages a client receives against those it sent:
// an echo must come back on the same stream, with the same PPID, unordered
// flag and bytes.
type echoCheck struct {
	streams   int
	ppid      uint32
	unordered bool

	received   *flow
	payloads   []*Payload // regenerate what was sent, per stream, on first use
	scratch    []byte
	bad        bool          // the message being read differs
	mismatches uint64        // read after reading ended
	bytes      atomic.Uint64 // bytes received so far
	progress   chan struct{} // signalled after every message
	noVerify   bool          // count only (ClientConfig.NoVerify)
}

func newEchoCheck(cfg ClientConfig) *echoCheck {
	e := &echoCheck{
		streams:   cfg.Streams,
		ppid:      cfg.PPID,
		unordered: cfg.Unordered,
		payloads:  make([]*Payload, cfg.Streams),
		scratch:   make([]byte, scratchSize),
		progress:  make(chan struct{}, 1),
	}
	e.received = newFlow(&e.bytes, !cfg.NoVerify)
	e.noVerify = cfg.NoVerify
	return e
}

// part checks the next part read.
func (e *echoCheck) part(p []byte, info stack.RecvInfo) {
	e.received.add(info.Stream, p, info.EOR)
	if !e.matches(p, info) {
		e.bad = true
	}
	if !info.EOR {
		return
	}
	if e.bad {
		e.mismatches++
	}
	e.bad = false
	select {
	case e.progress <- struct{}{}:
	default: // a signal is already pending
	}
}

// matches compares a part with the payload sent on its stream.
func (e *echoCheck) matches(p []byte, info stack.RecvInfo) bool {
	if int(info.Stream) >= e.streams || info.PPID != e.ppid || info.Unordered != e.unordered {
		return false
	}
	if e.noVerify {
		return true
	}
	pl := e.payloads[info.Stream]
	if pl == nil {
		pl = NewPayload(info.Stream, 0) // Fill needs no buffer of its own
		e.payloads[info.Stream] = pl
	}
	same := true
	for len(p) > 0 { // the whole part, so that pl stays in step
		want := e.scratch[:min(len(p), len(e.scratch))]
		pl.Fill(want)
		same = same && bytes.Equal(p[:len(want)], want)
		p = p[len(want):]
	}
	return same
}

// scratchSize is the size of the pieces in which the client generates
// the payload it expects back, to compare a message echoed.
const scratchSize = 64 << 10
