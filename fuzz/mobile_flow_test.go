package fuzz

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/mobisctp/mobisctp/mobility"
)

// flowStream is the stream the flows use: one ordered stream, so that
// "in order" is the order of sending.
const flowStream = 1

// burst is a script's request for count messages of size bytes.
type burst struct{ count, size int }

// flow is one direction of the exchange between the mobile nodes: a
// sender that sends the numbered messages the script asks for, and a
// receiver that checks that each arrives once and in order, intact.
type flow struct {
	name     string
	from, to *mobility.Conn
	bursts   chan burst

	mu        sync.Mutex
	asked     int    // messages the script asked for
	sent      int    // messages Send accepted
	got       int    // messages received, each the next one
	sendErr   error  // Send failed (not because the run ended)
	recvErr   error  // Recv failed (not because the run ended)
	violation string // a message arrived twice, out of order or damaged
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

// message is message number seq: its number, its length and a pattern
// that depends on both, so that the receiver notices a damaged one.
func message(seq, size int) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(seq))
	b = binary.BigEndian.AppendUint16(b, uint16(size))
	for j := range size {
		b = append(b, byte(seq*7+j))
	}
	return b
}

// checkMessage says what is wrong with b, received when message number
// want was due; "" if it is that message.
func checkMessage(b []byte, stream uint16, want int) string {
	if len(b) < 6 {
		return fmt.Sprintf("a message of %d bytes arrived when message %d was due", len(b), want)
	}
	seq, size := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint16(b[4:]))
	switch {
	case seq != want:
		return fmt.Sprintf("message %d arrived when message %d was due", seq, want)
	case stream != flowStream:
		return fmt.Sprintf("message %d arrived on stream %d", seq, stream)
	case string(b) != string(message(seq, size)):
		return fmt.Sprintf("message %d arrived damaged (%d bytes)", seq, len(b))
	}
	return ""
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
			err := f.from.Send(ctx, message(seq, b.size), flowStream)
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
	buf := make([]byte, 6+mobMaxSize+1)
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
		if v := checkMessage(buf[:n], stream, f.got); v != "" {
			f.violation = v
			f.mu.Unlock()
			return
		}
		f.got++
		f.mu.Unlock()
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
	return flowState{f.asked, f.sent, f.got, f.sendErr, f.recvErr, f.violation}
}

func (s flowState) String() string {
	return fmt.Sprintf("asked %d, sent %d, received %d, send error %v, receive error %v", s.asked, s.sent, s.got, s.sendErr, s.recvErr)
}
