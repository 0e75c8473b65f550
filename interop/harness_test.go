package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/stack"
)

// Sizes and bounds shared by the cases.
const (
	transferBytes = 10 << 20 // each case moves at least this much user data
	// caseTimeout bounds one case from start to clean end; a healthy
	// case takes a few seconds.
	caseTimeout = 30 * time.Second
	// ppid marks the messages of the tests (an arbitrary value, echoed
	// back by echo_server).
	ppid = 0x6d6f6269
)

// loopback is the address of every endpoint in the tests.
var loopback = netip.MustParseAddr("127.0.0.1")

// place is where a test opens its sockets and starts the peer programs:
// the host's network (a nil place) or a private network namespace.
type place interface {
	run(f func() error) error
}

// within calls f in p.
func within(p place, f func() error) error {
	if p == nil {
		return f()
	}
	return p.run(f)
}

// workload is the data of one transfer: pseudo-random bytes cut into
// messages of pseudo-random sizes, both fixed by a seed so that a failure
// can be reproduced.
type workload struct {
	data  []byte
	sizes []int
	sum   [sha256.Size]byte
}

// newWorkload returns total bytes in messages of 1 to maxMsg bytes.
func newWorkload(total, maxMsg int, seed uint64) *workload {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	src := rand.NewChaCha8(key)
	w := &workload{data: make([]byte, total)}
	_, _ = src.Read(w.data) // never fails
	rng := rand.New(src)
	for rest := total; rest > 0; {
		n := min(1+rng.IntN(maxMsg), rest)
		w.sizes = append(w.sizes, n)
		rest -= n
	}
	w.sum = sha256.Sum256(w.data)
	return w
}

// each calls f with every message in order, stopping at the first error.
func (w *workload) each(f func(i int, msg []byte) error) error {
	off := 0
	for i, n := range w.sizes {
		if err := f(i, w.data[off:off+n]); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// sendAll sends the workload on stream 0 with our PPID.
func sendAll(ctx context.Context, a *stack.Association, w *workload) error {
	return w.each(func(i int, msg []byte) error {
		if err := a.SendMsg(ctx, msg, stack.SendInfo{PPID: ppid}); err != nil {
			return fmt.Errorf("SendMsg of message %d (%d bytes): %w", i, len(msg), err)
		}
		return nil
	})
}

// receipt sums up the messages read from an association.
type receipt struct {
	msgs, bytes int
	sum         [sha256.Size]byte
	last        time.Time // when the last message arrived
}

// msgCheck checks message i as read, returning why it is wrong.
type msgCheck func(i int, msg []byte, info stack.RecvInfo) error

// untilEOF makes receive read until the peer's SHUTDOWN ends the data.
const untilEOF = -1

// receive reads whole messages from a, hashing them and passing each to
// check (if not nil), until it has read count of them or, with untilEOF,
// until the peer's SHUTDOWN ends the data (io.EOF).
func receive(ctx context.Context, a *stack.Association, count int, check msgCheck) (receipt, error) {
	var (
		r   receipt
		h   hash.Hash = sha256.New()
		buf           = make([]byte, 64<<10)
		msg []byte
	)
	for r.msgs != count {
		n, info, err := a.RecvMsg(ctx, buf)
		if errors.Is(err, io.EOF) && count == untilEOF {
			if len(msg) > 0 {
				return r, fmt.Errorf("end of data inside message %d (%d bytes without end of record)", r.msgs, len(msg))
			}
			break
		}
		if err != nil {
			return r, fmt.Errorf("RecvMsg after %d messages (%d bytes): %w", r.msgs, r.bytes, err)
		}
		msg = append(msg, buf[:n]...)
		if !info.EOR {
			continue
		}
		if check != nil {
			if err := check(r.msgs, msg, info); err != nil {
				return r, fmt.Errorf("message %d: %w", r.msgs, err)
			}
		}
		h.Write(msg)
		r.msgs++
		r.bytes += len(msg)
		r.last = time.Now()
		msg = msg[:0]
	}
	copy(r.sum[:], h.Sum(nil))
	return r, nil
}

// expect checks that the messages, read in order, are those of the
// workload, byte for byte, each on stream 0 with PPID pp.
func (w *workload) expect(pp uint32) msgCheck {
	off := 0
	return func(i int, msg []byte, info stack.RecvInfo) error {
		switch {
		case i >= len(w.sizes):
			return fmt.Errorf("more messages than the %d sent", len(w.sizes))
		case len(msg) != w.sizes[i]:
			return fmt.Errorf("%d bytes, sent %d", len(msg), w.sizes[i])
		case !bytes.Equal(msg, w.data[off:off+len(msg)]):
			return fmt.Errorf("content differs from what was sent (%d bytes from offset %d)", len(msg), off)
		case info.Stream != 0 || info.PPID != pp:
			return fmt.Errorf("stream %d PPID %#x, sent stream 0 PPID %#x", info.Stream, info.PPID, pp)
		}
		off += len(msg)
		return nil
	}
}

// logRate logs the speed of a transfer; it is information, not a test.
func logRate(t *testing.T, what string, bytes int, d time.Duration) {
	t.Helper()
	if d <= 0 {
		return
	}
	t.Logf("speed: %s: %.1f MB in %v = %.0f Mbit/s", what, float64(bytes)/1e6, d.Round(time.Millisecond), float64(bytes)*8/d.Seconds()/1e6)
}

// endpoint is our endpoint in a test, recording all its traffic.
type endpoint struct {
	*stack.Endpoint
	capture string // pcapng file of everything sent and received
	tap     *pcapng.Writer
	closed  bool
}

// newEndpoint opens an endpoint with cfg in p (listening if listen is
// set), with a tap recording into ours.pcapng in the test's artifact
// directory. The endpoint closes when the test ends, if finish did not
// close it before.
func newEndpoint(t *testing.T, p place, cfg stack.Config, listen bool) *endpoint {
	t.Helper()
	e := &endpoint{capture: filepath.Join(t.ArtifactDir(), "ours.pcapng")}
	tap, err := pcapng.Create(e.capture)
	if err != nil {
		t.Fatal(err)
	}
	e.tap = tap
	cfg.Tap = tap
	if cfg.LoggerFactory == nil {
		cfg.LoggerFactory = failureLog(t, "mobisctp")
	}
	err = within(p, func() error {
		var err error
		e.Endpoint, err = stack.NewEndpoint(cfg)
		return err
	})
	if err != nil {
		tap.Close()
		t.Fatalf("our endpoint: %v", err)
	}
	if listen {
		e.Listen()
	}
	t.Cleanup(func() { e.finish(t) })
	return e
}

// finish closes the endpoint and its capture file, and returns the file.
func (e *endpoint) finish(t *testing.T) string {
	t.Helper()
	if !e.closed {
		e.closed = true
		if err := e.Close(); err != nil {
			t.Errorf("closing our endpoint: %v", err)
		}
		if err := e.tap.Close(); err != nil {
			t.Errorf("closing the capture: %v", err)
		}
	}
	return e.capture
}

// failureLog returns a logger factory, at warning level, whose output is
// shown if the test fails.
func failureLog(t *testing.T, name string) logging.LoggerFactory {
	b := &logBuffer{}
	t.Cleanup(func() {
		if s := b.String(); t.Failed() && s != "" {
			t.Logf("%s log:\n%s", name, s)
		}
	})
	return &logging.DefaultLoggerFactory{Writer: b, DefaultLogLevel: logging.LogLevelWarn}
}

// logBuffer keeps the first logLimit bytes written to it, for any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const logLimit = 64 << 10

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := logLimit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// events records an association's events until it ends.
type events struct {
	a    *stack.Association
	done chan struct{} // closed after the last event
	mu   sync.Mutex
	list []stack.Event
	grew chan struct{} // closed, and replaced, when an event arrives
}

func watchEvents(a *stack.Association) *events {
	ev := &events{a: a, done: make(chan struct{}), grew: make(chan struct{})}
	go func() {
		defer close(ev.done)
		for e := range a.Events() {
			ev.mu.Lock()
			ev.list = append(ev.list, e)
			close(ev.grew)
			ev.grew = make(chan struct{})
			ev.mu.Unlock()
		}
	}()
	return ev
}

// eventTimeout bounds the wait for an event that the peer's actions
// cause.
const eventTimeout = 10 * time.Second

// await returns the first event, past or future, of type typ that
// satisfies match (any if nil). It fails the test if none comes within
// all returns the events so far.
func (ev *events) all() []stack.Event {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return slices.Clone(ev.list)
}

// eventTimeout or before the association ends.
func (ev *events) await(t *testing.T, typ stack.EventType, match func(stack.Event) bool) stack.Event {
	t.Helper()
	timeout := time.After(eventTimeout)
	for seen, ended := 0, false; ; {
		ev.mu.Lock()
		list, grew := ev.list, ev.grew
		ev.mu.Unlock()
		for ; seen < len(list); seen++ {
			if e := list[seen]; e.Type == typ && (match == nil || match(e)) {
				return e
			}
		}
		if ended {
			t.Fatalf("association ended (%v) without the %v event awaited; events: %v", ev.a.Err(), typ, list)
		}
		select {
		case <-grew:
		case <-ev.done:
			ended = true // look at the last events once more
		case <-timeout:
			t.Fatalf("no awaited %v event within %v; events: %v", typ, eventTimeout, list)
		}
	}
}

// endTimeout bounds the wait for an association to end once both sides
// asked for it.
const endTimeout = 10 * time.Second

// checkCleanEnd checks that the association ended with a completed
// SHUTDOWN exchange: no error, a shutdown-complete event, no abort and no
// failed send.
func checkCleanEnd(t *testing.T, ev *events) {
	t.Helper()
	select {
	case <-ev.done:
	case <-time.After(endTimeout):
		t.Errorf("association still open (%s) %v after the end of the transfer", ev.a.Stats().State, endTimeout)
		return
	}
	if err := ev.a.Err(); err != nil {
		t.Errorf("association ended with %v, want a graceful shutdown", err)
	}
	types := make([]stack.EventType, len(ev.list))
	for i, e := range ev.list {
		types[i] = e.Type
		switch e.Type {
		case stack.EventCommLost, stack.EventSendFailed, stack.EventRestart, stack.EventPeerError:
			t.Errorf("event %v", e)
		}
	}
	if !slices.Contains(types, stack.EventShutdownComplete) {
		t.Errorf("no %v event; events: %v", stack.EventShutdownComplete, ev.list)
	}
	if s := ev.a.Stats(); s.AbortsSent+s.AbortsReceived != 0 {
		t.Errorf("%d ABORT sent, %d received", s.AbortsSent, s.AbortsReceived)
	}
}

// logStats logs our side's counters of an association.
func logStats(t *testing.T, a *stack.Association) {
	t.Helper()
	s := a.Stats()
	t.Logf("our side: %d packets sent, %d received, %d dropped; %d retransmissions (%d fast, %d T3); %d SACKs sent, %d received; I-DATA %v",
		s.PacketsSent, s.PacketsReceived, s.PacketsDropped, s.Retransmissions, s.FastRetransmits, s.T3Expirations, s.SacksSent, s.SacksReceived, s.IData)
	for _, p := range s.Paths {
		t.Logf("path %v: MTU %d (%s) after %d probes", p.Remote, p.MTU, p.MTUSearch, p.PMTUProbes)
	}
}
