package perf

import (
	"context"
	"errors"
	"fmt"
	"github.com/mobisctp/mobisctp/internal/config"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// Client defaults and limits.
const (
	DefaultSize     = 1000
	DefaultDuration = 10 * time.Second
	// MaxMessageSize keeps a message well inside the default send and
	// receive buffers.
	MaxMessageSize = 1 << 20
)

// Timeouts of the end of a client run.
const (
	// echoIdleTimeout is how long the client waits for the next echo
	// before giving up on the rest.
	echoIdleTimeout = 5 * time.Second
	// shutdownTimeout bounds the graceful shutdown, which waits until
	// everything queued is acknowledged; the association is then aborted.
	shutdownTimeout = 30 * time.Second
)

// ClientConfig configures a perf client. Zero fields take their defaults.
type ClientConfig struct {
	// Endpoint is the local side: addresses, UDP port (0: ephemeral),
	// pcapng tap. The stream limits become at least Streams.
	Endpoint stack.Config
	Remote   stack.Remote
	// Size is the message size in bytes (DefaultSize); with a byte
	// budget the last message may be shorter.
	Size int
	// Bytes is the number of payload bytes to send; 0 sends for
	// Duration (DefaultDuration) instead.
	Bytes    int64
	Duration time.Duration
	// Streams is how many streams the messages are spread over,
	// round-robin (1, at most MaxStreams).
	Streams   int
	PPID      uint32
	Unordered bool
	// Echo says the server echoes: the client waits for every echo
	// before shutting down, and a missing one is an error. Echoes are
	// checked in any case, and awaited as soon as one has arrived.
	Echo bool
	// Script lists address changes to make during the run.
	Script []AddrAction
	Output Output
	// ConnectTimeout bounds the attempt to connect
	// (DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// Bitrate, when positive, paces the sending to this many bits of
	// payload per second; 0 sends as fast as the association takes it.
	Bitrate float64
	// Association numbers the run's association in its report and, when
	// not 1, labels its interval lines ("#2"): RunClient calls running in
	// parallel give each their number (default 1).
	Association int
	// NoVerify turns off what checks the bytes: the client sends the
	// same bytes in every message of a stream instead of the payload
	// stream (which costs a keystream per byte to make), hashes nothing
	// (no SHA-256 in the report) and compares echoes and reverse data by
	// counts only. For measuring the stack the way tools that do not
	// check are measured; use it on both ends.
	NoVerify bool
	// Reverse asks the server to send, with this configuration's size,
	// budget, streams, PPID and bitrate, and checks what arrives as an
	// echo would be checked (see ReversePPID).
	Reverse bool
}

// withDefaults fills the zero fields and rejects impossible values.
func (c ClientConfig) withDefaults() (ClientConfig, error) {
	config.Default(&c.Size, DefaultSize)
	config.Default(&c.Duration, DefaultDuration)
	config.Default(&c.Streams, 1)
	config.Default(&c.ConnectTimeout, DefaultConnectTimeout)
	config.Default(&c.Association, 1)
	switch {
	case c.Size < 1 || c.Size > MaxMessageSize:
		return c, fmt.Errorf("perf: Size %d not between 1 and %d", c.Size, MaxMessageSize)
	case c.Streams < 1 || c.Streams > MaxStreams:
		return c, fmt.Errorf("perf: Streams %d not between 1 and %d", c.Streams, MaxStreams)
	case c.Bytes < 0 || c.Duration < 0 || c.Bitrate < 0:
		return c, errors.New("perf: negative budget or bitrate")
	case c.PPID == ReversePPID:
		return c, fmt.Errorf("perf: PPID %#x is reserved for the reverse request", ReversePPID)
	}
	c.Endpoint.OutStreams = max(c.Endpoint.OutStreams, uint16(c.Streams))
	c.Endpoint.MaxInStreams = max(c.Endpoint.MaxInStreams, uint16(c.Streams))
	return c, nil
}

// client is one run of RunClient.
type client struct {
	cfg       ClientConfig
	a         *stack.Association
	con       *console
	sent      *flow
	sentBytes atomic.Uint64 // for the progress line and the echo wait
	echo      *echoCheck
}

// RunClient connects to cfg.Remote, sends until the budget is spent or ctx
// is done, shuts the association down and returns its report. The error
// says why the run failed: no association, an abnormal end, or echoes that
// differ from what was sent.
func RunClient(ctx context.Context, cfg ClientConfig) (Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{}, err
	}
	con := newConsole(cfg.Output)
	ep, err := stack.NewEndpoint(cfg.Endpoint)
	if err != nil {
		return Report{}, err
	}
	defer ep.Close()
	a, err := dial(ctx, ep, cfg, con)
	if err != nil {
		return Report{}, fmt.Errorf("perf: connecting to %v port %d: %w", cfg.Remote.Addrs, cfg.Remote.Port, err)
	}
	if out, _ := a.Streams(); int(out) < cfg.Streams {
		a.Abort("too few streams")
		return Report{}, fmt.Errorf("perf: the server accepts %d streams, not %d", out, cfg.Streams)
	}
	c := &client{cfg: cfg, a: a, con: con, echo: newEchoCheck(cfg)}
	c.sent = newFlow(&c.sentBytes, !cfg.NoVerify)
	r := c.run(ctx)
	con.report(r)
	return r, c.verdict(r)
}

// run sends, shuts down and reports.
func (c *client) run(ctx context.Context) Report {
	peer := c.a.RemoteAddr().String()
	events := c.con.watch("", c.a)
	counted := &c.sentBytes
	if c.cfg.Reverse {
		counted = &c.echo.bytes
	}
	stopMeter := c.con.meter(ctx, c.label(), counted)
	read := make(chan struct{})
	go func() {
		defer close(read)
		_ = readAll(c.a, c.echo.part) // how it ended is the association's Err
	}()

	scriptCtx, stopScript := context.WithCancel(ctx)
	defer stopScript()
	go runScript(scriptCtx, c.a, c.cfg.Script, c.con, "")
	start := time.Now()
	var err error
	if c.cfg.Reverse {
		err = c.requestReverse(ctx)
	} else if err = c.send(ctx); err == nil {
		c.awaitEchoes(ctx)
	}
	c.shutdown(ctx)
	elapsed := time.Since(start)

	intervals := stopMeter()
	<-read
	<-events
	if aerr := c.a.Err(); aerr != nil {
		err = aerr // the cause, rather than a send failing because of it
	}
	return assocReport{role: "client", id: c.cfg.Association, peer: peer, elapsed: elapsed, sent: c.sent,
		received: c.echo.received, mismatches: c.echo.mismatches, stats: c.a.Stats(), err: err, intervals: intervals}.build()
}

// messageSources returns what each stream's messages are cut from: its
// payload stream, or with NoVerify one message's worth of it, sent again
// and again.
func messageSources(cfg ClientConfig) []func(n int) []byte {
	srcs := make([]func(int) []byte, cfg.Streams)
	for i := range srcs {
		p := NewPayload(uint16(i), cfg.Size)
		srcs[i] = p.Next
		if cfg.NoVerify {
			fixed := p.Next(cfg.Size)
			srcs[i] = func(n int) []byte { return fixed[:n] }
		}
	}
	return srcs
}

// send queues messages until the budget is spent or ctx is done.
func (c *client) send(ctx context.Context) error {
	if c.cfg.Bytes == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Duration)
		defer cancel()
	}
	payloads := messageSources(c.cfg)
	left := c.cfg.Bytes
	pace := NewPacer(c.cfg.Bitrate)
	// Wait checks ctx; false: time is up or the run was stopped. The
	// streams take turns without a division per message.
	for i := 0; pace.Wait(ctx, c.sent.meter.Load()); i++ {
		if i == len(payloads) {
			i = 0
		}
		n := c.cfg.Size
		if c.cfg.Bytes > 0 {
			if left == 0 {
				return nil
			}
			n = int(min(int64(n), left))
			left -= int64(n)
		}
		id := uint16(i)
		msg := payloads[i](n)
		err := c.a.SendMsg(ctx, msg, stack.SendInfo{Stream: id, PPID: c.cfg.PPID, Unordered: c.cfg.Unordered})
		switch {
		case err == nil:
			c.sent.add(id, msg, true)
		case ctx.Err() != nil:
			return nil // time is up or the run was stopped
		case errors.Is(err, stack.ErrShutdown):
			return errors.New("perf: the server shut the association down during the run")
		default:
			return err
		}
	}
	return nil
}

// label names the association in interval lines when several run.
func (c *client) label() string {
	if c.cfg.Association == 1 {
		return ""
	}
	return fmt.Sprintf("#%d", c.cfg.Association)
}

// Pacer holds a sender to a bitrate: the bytes sent so far may leave once
// their time at that rate has come.
type Pacer struct {
	start   time.Time
	bitrate float64 // bits per second; 0: no pacing
}

// NewPacer starts pacing now at bitrate bits per second (0: no pacing).
func NewPacer(bitrate float64) Pacer { return Pacer{start: time.Now(), bitrate: bitrate} }

// Wait blocks until sent bytes are due, or ctx is done (false).
func (p Pacer) Wait(ctx context.Context, sent uint64) bool {
	if p.bitrate <= 0 {
		return ctx.Err() == nil
	}
	due := p.start.Add(time.Duration(float64(sent) * 8 / p.bitrate * float64(time.Second)))
	if end, ok := ctx.Deadline(); ok && !due.Before(end) {
		// Due when the run is over. Checked here because a context's Err
		// turns non-nil only when its timer's callback has run, which a
		// busy machine can delay past the deadline.
		return false
	}
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// awaitEchoes waits, if the server echoes, until every byte sent has come
// back: a server cannot echo what it reads after our SHUTDOWN arrived. It
// gives up when echoes stop coming; the report then shows what is missing.
func (c *client) awaitEchoes(ctx context.Context) {
	if !c.cfg.Echo && c.echo.bytes.Load() == 0 {
		return
	}
	idle := time.NewTimer(echoIdleTimeout)
	defer idle.Stop()
	for c.echo.bytes.Load() < c.sentBytes.Load() {
		select {
		case <-c.echo.progress:
			idle.Reset(echoIdleTimeout)
		case now := <-idle.C:
			c.con.event("", now, fmt.Sprintf("no echo for %v, %d of %d bytes came back",
				echoIdleTimeout, c.echo.bytes.Load(), c.sentBytes.Load()))
			return
		case <-c.a.Done():
			return // Err says why
		case <-ctx.Done():
			return // stopped by the user: report what came back
		}
	}
}

// shutdown ends the association gracefully, even after ctx is done, and
// aborts it if that takes too long.
func (c *client) shutdown(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := c.a.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		c.a.Abort("shutdown timeout")
	}
}

// verdict turns a report into the run's error.
func (c *client) verdict(r Report) error {
	switch {
	case r.Error != "":
		return errors.New(r.Error)
	case r.EchoMismatches > 0:
		return fmt.Errorf("perf: %d echoed messages differ from those sent", r.EchoMismatches)
	case c.cfg.Echo || (r.Received.Messages > 0 && !c.cfg.Reverse):
		if err := Compare(r.Sent, r.Received); err != nil {
			return fmt.Errorf("perf: echo: %w", err)
		}
	}
	return nil
}
