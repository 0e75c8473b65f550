package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/stack"
)

// dataStream is the stream mobile sends on (stream 0 is the node's).
const dataStream = 1

// flowCount is one direction's messages: how many, how many bytes, and
// the SHA-256 of the bytes in order.
type flowCount struct {
	mu       sync.Mutex
	bytes    int64
	messages int64
	h        hash.Hash
}

func newFlowCount() *flowCount { return &flowCount{h: sha256.New()} }

func (f *flowCount) add(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bytes += int64(len(b))
	f.messages++
	f.h.Write(b)
}

// flowReport is a flowCount's summary, as --json prints it.
type flowReport struct {
	Bytes    int64  `json:"bytes"`
	Messages int64  `json:"messages"`
	SHA256   string `json:"sha256"`
}

func (f *flowCount) report() flowReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return flowReport{Bytes: f.bytes, Messages: f.messages, SHA256: hex.EncodeToString(f.h.Sum(nil))}
}

func (f *flowCount) total() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bytes
}

// transfer moves the data of one mobile association as the flags say.
type transfer struct {
	m         *mobileFlags
	c         *mobility.Conn
	tl        *mobility.Timeline
	delivered func(time.Time) // told of every message read
	sent      *flowCount
	got       *flowCount
	progress  chan struct{} // capacity 1: a message arrived
	closed    atomic.Bool   // this side closes the Conn

	// The association's stats and the node's resources just before
	// the Conn closed (final is nil if it had no association then).
	final *stack.Stats
	end   *resources
}

func newTransfer(m *mobileFlags, c *mobility.Conn, tl *mobility.Timeline, delivered func(time.Time)) *transfer {
	return &transfer{m: m, c: c, tl: tl, delivered: delivered, sent: newFlowCount(), got: newFlowCount(), progress: make(chan struct{}, 1)}
}

// plotsSent says whether the timeline shows the bytes sent: when nothing
// comes back, it is all there is to show.
func (t *transfer) plotsSent() bool { return t.m.mode == modeSend && !t.m.expectEcho }

// run reads, and sends or echoes, until this side or the peer ends the
// association, and then closes it. When sending, an interrupt (ctx done)
// ends the sending early, as the end of --time does: the echoes still
// come back and the association shuts down; a second interrupt kills the
// process (see main).
func (t *transfer) run(ctx context.Context) error {
	interrupt := ctx
	if t.m.mode == modeSend {
		ctx = context.WithoutCancel(ctx)
	}
	read := make(chan error, 1)
	go func() { read <- t.read(ctx) }()
	var err error
	if t.m.mode == modeSend {
		err = t.send(interrupt)
		if err == nil && t.m.expectEcho {
			err = t.awaitEchoes(ctx)
		}
		return errors.Join(err, t.close(), <-read)
	}
	err = <-read
	return errors.Join(err, t.close())
}

// echoQueue is how many messages echo mode may have read and not yet
// sent back. Reading must not wait for sending: the Conn reads the
// peer's checkpoints, which free its resend buffer and so let a blocked
// Send go on, in order with the data, and stops reading while the
// application does not read. The peer cannot get further ahead than its
// own resend buffer plus the Conn's inbox, well within twice the
// default buffer.
const echoQueue = 2 * mobility.DefaultResendBuffer

// echo sends back what read queues, until it closes the queue.
func (t *transfer) echo(ctx context.Context, queue <-chan echoMsg) error {
	for m := range queue {
		if err := t.c.Send(ctx, m.data, m.stream); err != nil {
			for range queue { // let read end
			}
			return err
		}
		t.sent.add(m.data)
	}
	return nil
}

type echoMsg struct {
	data   []byte
	stream uint16
}

// close takes the final counts and closes the Conn.
func (t *transfer) close() error {
	a := t.c.Association()
	if a != nil {
		st := a.Stats()
		t.final = &st
	}
	t.end = countResources(a)
	t.closed.Store(true)
	return t.c.Close()
}

// read receives until the peer shuts the association down, echoing in
// echo mode.
func (t *transfer) read(ctx context.Context) (err error) {
	var queue chan echoMsg
	if t.m.mode == modeEcho {
		queue = make(chan echoMsg, echoQueue)
		echoed := make(chan error, 1)
		go func() { echoed <- t.echo(ctx, queue) }()
		defer func() {
			close(queue)
			err = errors.Join(err, <-echoed)
		}()
	}
	buf := make([]byte, perf.MaxMessageSize)
	for {
		n, stream, err := t.c.Recv(ctx, buf)
		if errors.Is(err, io.EOF) || (err != nil && t.closed.Load() && ctx.Err() == nil) {
			return nil
		}
		if err != nil {
			return err
		}
		msg := buf[:n]
		t.got.add(msg)
		now := time.Now()
		t.delivered(now)
		if !t.plotsSent() {
			t.tl.Delivered(now, n)
		}
		select {
		case t.progress <- struct{}{}:
		default:
		}
		if queue != nil {
			select {
			case queue <- echoMsg{data: bytes.Clone(msg), stream: stream}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// send sends the pseudorandom payload of perf for --time or --bytes, or
// until interrupt is done.
func (t *transfer) send(interrupt context.Context) error {
	ctx := interrupt
	if !isBudget(t.m) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.m.duration)
		defer cancel()
	}
	payload := perf.NewPayload(dataStream, int(t.m.size))
	pace := perf.NewPacer(float64(t.m.bitrate))
	for {
		n := int64(t.m.size)
		if isBudget(t.m) {
			n = min(n, int64(t.m.bytes)-t.sent.total())
			if n <= 0 {
				return nil
			}
		}
		if !pace.Wait(ctx, uint64(t.sent.total())) {
			return t.sendEnd(ctx)
		}
		msg := payload.Next(int(n))
		if err := t.c.Send(ctx, msg, dataStream); err != nil {
			return t.sendEnd(ctx, err)
		}
		t.sent.add(msg)
		if t.plotsSent() {
			t.tl.Delivered(time.Now(), int(n))
		}
	}
}

// sendEnd says why sending stopped: the time was up or an interrupt
// came (nil; a Send that ctx ended sent nothing), or err.
func (t *transfer) sendEnd(ctx context.Context, errs ...error) error {
	if ctx.Err() != nil {
		return nil
	}
	return errors.Join(errs...)
}

func isBudget(m *mobileFlags) bool { return m.bytes > 0 }

// awaitEchoes waits until every byte sent came back, as long as echoes
// keep coming within the handover deadline.
func (t *transfer) awaitEchoes(ctx context.Context) error {
	idle := time.NewTimer(t.m.deadline)
	defer idle.Stop()
	for t.got.total() < t.sent.total() {
		select {
		case <-t.progress:
			idle.Reset(t.m.deadline)
		case <-idle.C:
			return errors.New("the echoes stopped coming")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
