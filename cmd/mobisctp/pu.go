package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// terminalInput is what pu reads lines from without --count or
// --interval; tests replace it.
var terminalInput io.Reader = os.Stdin

// drainTimeout bounds the wait for the last replies before pu exits.
const drainTimeout = 2 * time.Second

func runPU(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp pu", registrarUsage+" --pool HANDLE [--count N] [--interval DUR] [--cache-ttl DUR] [--wait DUR] [--key-file FILE] [SCTP timer flags] [--log-level L] [--json]")
	var regs registrarFlags
	regs.register(fs)
	var timers sctpFlags
	timers.register(fs)
	logs := registerLogLevel(fs, logging.LogLevelDisabled)
	wait := fs.Duration("wait", 0, "how long to keep looking for an element of the pool before giving up (0: one try; negative: until interrupted)")
	pool := fs.String("pool", "", "pool `handle` to use (required)")
	count := fs.Int("count", 0, "send `n` generated messages instead of lines read from stdin (0 with --interval: until interrupted)")
	interval := fs.Duration("interval", time.Second, "time between generated messages")
	ttl := fs.Duration("cache-ttl", asap.DefaultCacheTTL, "how long a handle resolution is used (0: ask the registrar every time)")
	jsonOut := fs.Bool("json", false, "print one JSON object per event and reply")
	keyFile := fs.String("key-file", "", "sign with the user key in `file`, one line \"user ID HEXKEY\" as in the registrar's key file, and take answers only from registrars that sign with it (default: no key)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := checkPUFlags(fs, &regs, *pool, *count, *interval, *ttl); err != nil {
		return usageError(fs, "%v", err)
	}
	var key registrar.UserKey
	if *keyFile != "" {
		var err error
		if key, err = readUserKey(*keyFile); err != nil {
			return usageError(fs, "%v", err)
		}
	}
	if err := timers.check(); err != nil {
		return usageError(fs, "%v", err)
	}
	if *ttl == 0 {
		*ttl = -1 // asap's zero means the default
	}

	if err := regs.listen(); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer regs.close()
	cfg := stack.Config{LocalAddrs: localAddrsNear(regs.nearby()), LoggerFactory: logs.factory(e.stderr)}
	timers.apply(&cfg)
	ep, err := keyedEndpoint(cfg, key.ID, key.Key, stack.NewEndpoint)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer ep.Close()
	u, err := asap.NewUser(ep, asap.UserConfig{Registrars: regs.remotes(), Announces: regs.announces, CacheTTL: *ttl, KeyID: key.ID})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer u.Close()
	out := &reporter{w: e.stdout, json: *jsonOut}
	out.event("connecting", fmt.Sprintf("looking for an element of pool %q at %s", *pool, regs.describe()),
		map[string]any{"pool": *pool, "registrars": regs.describe()})
	s, err := u.Connect(ctx, wire.PoolHandle(*pool), asap.SessionConfig{ConnectWait: *wait})
	if err != nil {
		if ctx.Err() == nil {
			out.event(asap.SessionResolveFailed.String(), asap.SessionResolveFailed.String()+": "+err.Error(), map[string]any{"error": err.Error()})
		}
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	t := &terminal{s: s, out: out, allAnswered: make(chan struct{}, 1)}
	printed, received := printSessionEvents(s, t.out), t.receive()
	if isSet(fs, "count") || isSet(fs, "interval") {
		t.generate(ctx, *count, *interval)
	} else {
		t.readLines(ctx, terminalInput)
	}
	t.drain()
	s.Close()
	<-printed
	<-received
	t.summary()
	return exitOK
}

// checkPUFlags checks the pu flags, naming the one at fault.
func checkPUFlags(fs *flag.FlagSet, regs *registrarFlags, pool string, count int, interval, ttl time.Duration) error {
	if err := regs.check(fs); err != nil {
		return err
	}
	switch {
	case pool == "":
		return fmt.Errorf("--pool is required")
	case count < 0:
		return fmt.Errorf("--count %d: must not be negative", count)
	case interval <= 0:
		return fmt.Errorf("--interval %v: must be positive", interval)
	case ttl < 0:
		return fmt.Errorf("--cache-ttl %v: must not be negative", ttl)
	}
	return nil
}

// localAddrs returns the addresses to talk to registrars from: those
// localAddrsNear picks for the first one.
func localAddrs(regs []stack.Remote) []netip.Addr { return localAddrsNear(regs[0].Addrs[0]) }

// localAddrsNear returns the addresses to talk from to hosts on a's
// network: loopback when a is on loopback, else every address of its
// family.
func localAddrsNear(a netip.Addr) []netip.Addr {
	switch {
	case a.Is4() && a.IsLoopback():
		return []netip.Addr{loopback4}
	case a.IsLoopback():
		return []netip.Addr{netip.IPv6Loopback()}
	case a.Is4():
		return []netip.Addr{netip.IPv4Unspecified()}
	}
	return []netip.Addr{netip.IPv6Unspecified()}
}

// printSessionEvents prints the session's failovers and the rest of its
// events until Close; the channel returned is closed after the last one.
func printSessionEvents(s *asap.Session, out *reporter) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range s.Events() {
			reportSessionEvent(out, ev)
		}
	}()
	return done
}

// reportSessionEvent prints a session event; failovers name the old and
// the new element.
func reportSessionEvent(out *reporter, ev asap.SessionEvent) {
	f := map[string]any{}
	if ev.Old.ID != 0 {
		f["old"] = elementFields(ev.Old)
	}
	if ev.New.ID != 0 {
		f["new"] = elementFields(ev.New)
	}
	if ev.Type == asap.SessionFailover {
		f["took_ms"] = milliseconds(ev.Took)
		f["resent"], f["cookie_echo"] = ev.Resent, ev.CookieEcho
	}
	if ev.Err != nil {
		f["error"] = ev.Err.Error()
	}
	out.event(ev.Type.String(), ev.String(), f)
}

// milliseconds converts d for JSON output.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// terminal is pu's side of the conversation: like RSPLIB's rspterminal it
// sends lines and prints replies. A reply acknowledges the oldest message
// not yet answered, which fits request-response services (echo, daytime);
// messages a failover caught unanswered are resent by the session.
type terminal struct {
	s   *asap.Session
	out *reporter

	mu      sync.Mutex
	waiting []asap.Seq // sent and unanswered, oldest first
	sent    int
	replies int
	// allAnswered gets a token whenever a reply leaves nothing unanswered.
	allAnswered chan struct{}
}

// send sends one message. The lock is held across Session.Send so that a
// fast reply cannot arrive before its message is in waiting.
func (t *terminal) send(ctx context.Context, data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	seq, err := t.s.Send(ctx, data, stack.SendInfo{})
	if err != nil {
		return err
	}
	t.waiting = append(t.waiting, seq)
	t.sent++
	return nil
}

// generate sends count messages ("message 1", ...), one per interval, or
// until ctx is done if count is 0.
func (t *terminal) generate(ctx context.Context, count int, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 1; count == 0 || i <= count; i++ {
		if i > 1 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
		if t.send(ctx, fmt.Appendf(nil, "message %d", i)) != nil {
			return
		}
	}
}

// readLines sends every line of r until its end or ctx is done.
func (t *terminal) readLines(ctx context.Context, r io.Reader) {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case line, ok := <-lines:
			if !ok || (line != "" && t.send(ctx, []byte(line)) != nil) {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// receive prints replies until the session closes; the channel returned is
// closed then.
func (t *terminal) receive() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := t.s.Recv(context.Background())
			if err != nil {
				return
			}
			t.answered()
			el, _ := t.s.Element()
			text := printable(m.Data)
			t.out.event("reply", fmt.Sprintf("from PE $%08x> %s", uint32(el.ID), text),
				map[string]any{"pe": uint32(el.ID), "data": text})
		}
	}()
	return done
}

// answered acknowledges the oldest unanswered message.
func (t *terminal) answered() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.replies++
	if len(t.waiting) > 0 {
		t.s.Ack(t.waiting[0])
		t.waiting = t.waiting[1:]
	}
	if len(t.waiting) == 0 {
		select {
		case t.allAnswered <- struct{}{}:
		default:
		}
	}
}

// drain waits a little for the replies still due.
func (t *terminal) drain() {
	timeout := time.NewTimer(drainTimeout)
	defer timeout.Stop()
	for {
		t.mu.Lock()
		done := len(t.waiting) == 0
		t.mu.Unlock()
		if done {
			return
		}
		select {
		case <-t.allAnswered:
		case <-timeout.C:
			return
		}
	}
}

func (t *terminal) summary() {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.s.Stats()
	t.out.event("summary", fmt.Sprintf("%d sent, %d replies, %d unanswered, %d failovers, %d resent",
		t.sent, t.replies, len(t.waiting), st.Failovers, st.Resent),
		map[string]any{"sent": t.sent, "replies": t.replies, "unanswered": len(t.waiting), "failovers": st.Failovers, "resent": st.Resent})
}

// printable replaces control characters, as rspterminal does, and drops
// trailing line ends.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '.'
		}
		return r
	}, strings.TrimRight(string(b), "\r\n"))
}
