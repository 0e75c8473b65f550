package stack

import (
	"context"
	"io"
	"sync"
	"time"
)

// streamAccept hands the streams the peer opens to AcceptStream.
type streamAccept struct {
	on    bool // loop-owned: AcceptStream was called, new streams go to it
	mu    sync.Mutex
	ready []*Stream // opened by the peer, not yet accepted
	added notifier
}

// AcceptStream waits for a stream the peer opens: the first message on a
// stream that has no open Stream makes one, with that message's PPID for
// the messages it writes. From the first call on, such messages go to
// AcceptStream instead of RecvMsg, those already waiting for RecvMsg
// included; a stream the peer reset (RFC 6525) is accepted anew when the
// peer uses it again. Once the association has ended it returns io.EOF
// after a graceful end, and the association's error otherwise.
func (a *Association) AcceptStream(ctx context.Context) (*Stream, error) {
	if !a.exec(func(time.Time) { a.startAcceptingStreams() }) {
		return nil, a.endErr()
	}
	acc := &a.accepting
	for {
		acc.mu.Lock()
		if len(acc.ready) > 0 {
			s := acc.ready[0]
			acc.ready = acc.ready[1:]
			acc.mu.Unlock()
			return s, nil
		}
		added := acc.added.wait()
		acc.mu.Unlock()
		var err error
		select {
		case <-added:
		case <-ctx.Done():
			err = ctx.Err()
		case <-a.done:
			err = a.endErr()
		}
		acc.mu.Lock()
		acc.added.done(added)
		acc.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// endErr is what AcceptStream returns after the association ended.
func (a *Association) endErr() error {
	if err := a.Err(); err != nil {
		return err
	}
	return io.EOF
}

// startAcceptingStreams turns AcceptStream on and hands it the streams of
// messages already waiting for RecvMsg, in the order of their first
// messages: each takes its stream's messages from recvq, up to the
// stream's end if the peer reset it (the rest then make the stream
// anew). Runs on the loop.
func (a *Association) startAcceptingStreams() {
	if a.accepting.on {
		return
	}
	a.accepting.on = true
	for {
		a.recvq.mu.Lock()
		if a.recvq.empty() {
			a.recvq.mu.Unlock()
			return
		}
		m := a.recvq.msgs[a.recvq.head]
		a.recvq.mu.Unlock()
		a.acceptedStream(m.Stream, m.PPID)
	}
}

// acceptedStream opens stream sid for AcceptStream and returns its queue.
// Runs on the loop.
func (a *Association) acceptedStream(sid uint16, ppid uint32) *recvQueue {
	s := newStream(a, sid, ppid)
	a.openStream(s)
	acc := &a.accepting
	acc.mu.Lock()
	acc.ready = append(acc.ready, s)
	acc.added.broadcast()
	acc.mu.Unlock()
	return s.q
}
