// Package measure is what the bench/ load generators (pionperf, udpperf)
// share: the JSON result they print, counting what a receiver got, the
// timed send loop, UDP sockets with large buffers and the server/client
// command skeleton. The benchcompare harness reads their output through
// Result and ReadyPattern.
package measure

import (
	"context"
	"time"
)

// Result is one side's outcome. A tool prints it as one JSON object on
// stdout and nothing else there.
type Result struct {
	// Role is "server" (what it received) or "client" (what it sent).
	Role     string `json:"role"`
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"` // payload bytes
	// Seconds is the measured time: for a client the send loop, for a
	// server from the first to the last message received.
	Seconds float64 `json:"seconds"`
	// Mbps is derived from Bytes and Seconds, for people reading the
	// output; the harness recomputes it.
	Mbps float64 `json:"mbit_per_s"`
}

// newResult returns the result of role with its derived fields set.
func newResult(role string, messages, bytes uint64, d time.Duration) Result {
	r := Result{Role: role, Messages: messages, Bytes: bytes, Seconds: d.Seconds()}
	if r.Seconds > 0 {
		r.Mbps = float64(bytes) * 8 / r.Seconds / 1e6
	}
	return r
}

// Counter counts what a receiver got and when. The zero value is ready;
// it is not safe for concurrent use.
type Counter struct {
	messages, bytes uint64
	first, last     time.Time
}

// Add counts messages that together carry bytes of payload, received now.
func (c *Counter) Add(messages, bytes int) {
	now := time.Now()
	if c.first.IsZero() {
		c.first = now
	}
	c.last = now
	c.messages += uint64(messages)
	c.bytes += uint64(bytes)
}

// Started reports whether anything was counted yet.
func (c *Counter) Started() bool { return !c.first.IsZero() }

// Result returns what was counted, timed from the first to the last Add.
func (c *Counter) Result(role string) Result {
	return newResult(role, c.messages, c.bytes, c.last.Sub(c.first))
}

// SendFunc sends one or more messages of the run's size and returns how
// many it sent. When it has to wait (flow control) it gives up as soon as
// ctx is done, returning what it sent and no error.
type SendFunc func(ctx context.Context) (int, error)

// SendFor calls send until d has passed or send fails, and returns what
// was sent, timed from the first call to the end of the last.
func SendFor(d time.Duration, size int, send SendFunc) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var messages uint64
	var err error
	for err == nil && ctx.Err() == nil {
		var n int
		n, err = send(ctx)
		messages += uint64(n)
	}
	return newResult("client", messages, messages*uint64(size), time.Since(start)), err
}
