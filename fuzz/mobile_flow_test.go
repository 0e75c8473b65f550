package fuzz

import (
	"context"
	"fmt"
	"sync"

	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/mobility"
)

// flowStream is the stream the flows use: one ordered stream, so that
// "in order" is the order of sending.
const flowStream = 1

// burst is a script's request for count messages of size bytes.
type burst struct{ count, size int }

// flow is one direction of the exchange between the mobile nodes: a
// sender that sends the numbered messages (simstack.Message) the script
// asks for, and a receiver that checks that each arrives once and in
// order, intact, on the flow's stream.
type flow struct {
	name     string
	from, to *mobility.Conn
	bursts   chan burst

	mu        sync.Mutex
	asked     int              // messages the script asked for
	sent      int              // messages Send accepted
	check     simstack.Checker // the messages received, each the next one
	sendErr   error            // Send failed (not because the run ended)
	recvErr   error            // Recv failed (not because the run ended)
	violation string           // a message arrived twice, out of order or damaged
}

func newFlow(name string, from, to *mobility.Conn) *flow {
	return &flow{name: name, from: from, to: to, bursts: make(chan burst, mobMaxSteps)}
}

// ask queues a burst for the sender; the channel holds one per step, so
// this never blocks.
func (f *flow) ask(b burst) {
	f.mu.Lock()
	f.asked += b.count
	f.mu.Unlock()
	f.bursts <- b
}

// send sends what the script asks for until ctx ends or Send fails.
func (f *flow) send(ctx context.Context) {
	seq := 0
	for {
		var b burst
		select {
		case b = <-f.bursts:
		case <-ctx.Done():
			return
		}
		for range b.count {
			err := f.from.Send(ctx, simstack.Message(seq, b.size), flowStream)
			f.mu.Lock()
			if err != nil {
				if ctx.Err() == nil {
					f.sendErr = err
				}
				f.mu.Unlock()
				return
			}
			seq++
			f.sent = seq
			f.mu.Unlock()
		}
	}
}

// receive checks every message until ctx ends, Recv fails or a message
// breaks the promise.
func (f *flow) receive(ctx context.Context) {
	buf := make([]byte, simstack.MessageHeader+mobMaxSize+1)
	for {
		n, stream, err := f.to.Recv(ctx, buf)
		f.mu.Lock()
		if err != nil {
			if ctx.Err() == nil {
				f.recvErr = err
			}
			f.mu.Unlock()
			return
		}
		v := ""
		if stream != flowStream {
			v = fmt.Sprintf("a message arrived on stream %d when message %d was due", stream, f.check.Count())
		} else if err := f.check.Check(buf[:n]); err != nil {
			v = err.Error()
		}
		f.violation = v
		f.mu.Unlock()
		if v != "" {
			return
		}
	}
}

// flowState is a snapshot of a flow.
type flowState struct {
	asked, sent, got int
	sendErr, recvErr error
	violation        string
}

func (f *flow) state() flowState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return flowState{f.asked, f.sent, f.check.Count(), f.sendErr, f.recvErr, f.violation}
}

func (s flowState) String() string {
	return fmt.Sprintf("asked %d, sent %d, received %d, send error %v, receive error %v", s.asked, s.sent, s.got, s.sendErr, s.recvErr)
}
