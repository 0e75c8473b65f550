package perf

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// ReversePPID marks the request of a reverse run (ClientConfig.Reverse):
// the first message of the association, on stream 0, asks the server to
// send instead of the client. A client must not use it for its payload.
const ReversePPID = 0x70657266 // "perf"

// reverseRequest is the text of the request: what the server is to send,
// as the client's configuration says.
const reverseRequest = "reverse size=%d bytes=%d time=%d streams=%d ppid=%d unordered=%t bitrate=%g"

func encodeReverse(c ClientConfig) []byte {
	return fmt.Appendf(nil, reverseRequest, c.Size, c.Bytes, int64(c.Duration), c.Streams, c.PPID, c.Unordered, c.Bitrate)
}

// decodeReverse reads a request; ok is false for anything else, including
// values the sender could not honour. streams is what the association
// offers the server.
func decodeReverse(b []byte, streams uint16) (c ClientConfig, ok bool) {
	var d int64
	if _, err := fmt.Sscanf(string(b), reverseRequest, &c.Size, &c.Bytes, &d, &c.Streams, &c.PPID, &c.Unordered, &c.Bitrate); err != nil {
		return c, false
	}
	c.Duration = time.Duration(d)
	c, err := c.withDefaults()
	return c, err == nil && c.Streams <= int(streams)
}

// requestReverse asks the server to send and waits until it has shut the
// association down, or ctx is done; the read loop takes in the data.
func (c *client) requestReverse(ctx context.Context) error {
	if err := c.a.SendMsg(ctx, encodeReverse(c.cfg), stack.SendInfo{PPID: ReversePPID}); err != nil {
		return err
	}
	select {
	case <-c.a.Done():
	case <-ctx.Done():
	}
	return nil
}

// reverseSender is the server's side of a reverse run: a client's send
// loop on the server's association.
type reverseSender struct {
	c    *client
	done chan struct{}
}

// startReverse sends on a what the request asks, counting it in bytes for
// the interval lines, then shuts a down.
func (s *Server) startReverse(ctx context.Context, a *stack.Association, cfg ClientConfig, label string, bytes *atomic.Uint64) *reverseSender {
	cfg.NoVerify = s.cfg.NoVerify
	r := &reverseSender{c: &client{cfg: cfg, a: a, con: s.con}, done: make(chan struct{})}
	r.c.sent = newFlow(bytes, !cfg.NoVerify)
	s.con.event(label, time.Now(), fmt.Sprintf("reverse: sending %d-byte messages on %d streams", cfg.Size, cfg.Streams))
	go func() {
		defer close(r.done)
		if err := r.c.send(ctx); err != nil {
			s.con.event(label, time.Now(), "reverse: "+err.Error())
		}
		r.c.shutdown(ctx)
	}()
	return r
}
