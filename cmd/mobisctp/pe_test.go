package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/stack"
)

// eventLog collects the JSON events a command prints and lets a test wait
// for them.
type eventLog struct {
	mu      sync.Mutex
	partial []byte
	events  []map[string]any
	arrived []time.Time // when each event was written
	text    strings.Builder
	changed chan struct{} // closed and replaced at every new line
}

func newEventLog() *eventLog { return &eventLog{changed: make(chan struct{})} }

func (l *eventLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	l.partial = append(l.partial, p...)
	for {
		line, rest, ok := bytes.Cut(l.partial, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		var ev map[string]any
		if json.Unmarshal(line, &ev) == nil {
			l.events = append(l.events, ev)
			l.arrived = append(l.arrived, time.Now())
		}
		close(l.changed) // a new line: an event, or text for waitLine
		l.changed = make(chan struct{})
		l.partial = rest
	}
}

// wait returns the first event named name for which match (if not nil)
// holds, waiting up to ten seconds for it.
func (l *eventLog) wait(t *testing.T, name string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		for _, ev := range l.events {
			if ev["event"] == name && (match == nil || match(ev)) {
				l.mu.Unlock()
				return ev
			}
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("no %q event; output:\n%s", name, l.String())
		}
	}
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// testRegistrar starts a registrar on loopback with an ephemeral UDP port
// and returns the flags that point pe and pu to it.
func testRegistrar(t *testing.T) (*registrar.Registrar, []string) {
	r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: []netip.Addr{loopback4}, EphemeralUDPPort: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, []string{"--registrar", fmt.Sprintf("127.0.0.1:%d", r.Port()), "--registrar-udp-port", fmt.Sprint(r.UDPPort())}
}

// runningCommand is a command running in this process until stop.
type runningCommand struct {
	log    *eventLog
	cancel context.CancelFunc
	code   chan int
}

// start runs a command line in the background, as SIGINT would end it at
// stop; the test's end stops it too.
func start(t *testing.T, args ...string) *runningCommand {
	ctx, cancel := context.WithCancel(context.Background())
	c := &runningCommand{log: newEventLog(), cancel: cancel, code: make(chan int, 1)}
	go func() { c.code <- run(ctx, &env{stdout: c.log, stderr: c.log}, args) }()
	t.Cleanup(func() { c.stop() })
	return c
}

// stop interrupts the command and returns its exit status.
func (c *runningCommand) stop() int {
	c.cancel()
	code := <-c.code
	c.code <- code // for a second stop
	return code
}

// startPE starts an element of pool and waits until it is registered; it
// returns the element's identifier.
func startPE(t *testing.T, reg []string, pool string, args ...string) (*runningCommand, float64) {
	t.Helper()
	pe := start(t, slices.Concat([]string{"pe", "--json", "--pool", pool}, reg, args)...)
	id := pe.log.wait(t, "listening", nil)["id"].(float64)
	pe.log.wait(t, "registered", nil)
	return pe, id
}

func TestPERegistersAndDeregisters(t *testing.T) {
	r, reg := testRegistrar(t)
	pe, id := startPE(t, reg, "EchoPool", "--service", "echo", "--policy", "WeightedRoundRobin:3", "--listen", "127.0.0.1:0")
	table := r.Table()
	if len(table.Pools) != 1 || table.Pools[0].Handle != "EchoPool" || len(table.Pools[0].Elements) != 1 ||
		float64(table.Pools[0].Elements[0].ID) != id || table.Pools[0].Elements[0].Policy.Weight != 3 {
		t.Errorf("registrar table %+v", table)
	}
	if code := pe.stop(); code != exitOK {
		t.Errorf("pe exit %d:\n%s", code, pe.log)
	}
	pe.log.wait(t, "deregistered", nil)
	if table := r.Table(); table.Elements() != 0 {
		t.Errorf("elements left at the registrar: %+v", table)
	}
}

func TestPEPUFlagErrors(t *testing.T) {
	reg := []string{"--registrar", "127.0.0.1"}
	pe := append([]string{"pe", "--pool", "p", "--service", "echo"}, reg...)
	pu := append([]string{"pu", "--pool", "p"}, reg...)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pe", "--pool", "p", "--service", "echo"}, "--registrar or --announce is required"},
		{[]string{"pe", "--pool", "p", "--service", "echo", "--announce", "239.0.0.50"}, `--announce "239.0.0.50": want an address and a port`},
		{[]string{"pe", "--pool", "p", "--service", "echo", "--announce", "239.0.0.50:0"}, "--announce"},
		{[]string{"pe", "--service", "echo", "--registrar", "127.0.0.1"}, "--pool is required"},
		{[]string{"pe", "--pool", "p", "--registrar", "127.0.0.1"}, "--service"},
		{slices.Concat(pe, []string{"--service", "ftp"}), `--service "ftp"`},
		{slices.Concat(pe, []string{"--policy", "Fastest"}), "--policy: unknown policy"},
		{slices.Concat(pe, []string{"--policy", "WeightedRoundRobin:x"}), "--policy"},
		{slices.Concat(pe, []string{"--rereg-interval", "0s"}), "--rereg-interval"},
		{slices.Concat(pe, []string{"--registrar", "0.0.0.0"}), "real address"},
		{slices.Concat(pe, []string{"--registrar", "127.0.0.1:0"}), "port must not be 0"},
		{slices.Concat(pe, []string{"--registrar-udp-port", "0"}), "--registrar-udp-port"},
		{slices.Concat(pe, []string{"--listen", "nowhere"}), "-listen"},
		{[]string{"pu", "--registrar", "127.0.0.1"}, "--pool is required"},
		{[]string{"pu", "--pool", "p"}, "--registrar or --announce is required"},
		{[]string{"pu", "--pool", "p", "--announce", "group"}, `--announce "group"`},
		{slices.Concat(pu, []string{"--announce", "239.0.0.50:3863", "--registrar-udp-port", "0"}), "--registrar-udp-port"},
		{slices.Concat(pu, []string{"--count", "-1"}), "--count"},
		{slices.Concat(pu, []string{"--interval", "0s"}), "--interval"},
		{slices.Concat(pu, []string{"--cache-ttl", "-1s"}), "--cache-ttl"},
		{slices.Concat(pu, []string{"extra"}), `unexpected argument "extra"`},
		{slices.Concat(pu, []string{"--rto-min", "2s", "--rto-max", "1s"}), "--rto-min"},
		{slices.Concat(pe, []string{"--assoc-max-retrans", "0"}), "--assoc-max-retrans"},
		{slices.Concat(pe, []string{"--hb-interval", "0s"}), "--hb-interval"},
		{slices.Concat(pu, []string{"--log-level", "loud"}), "-log-level"},
		{[]string{"hsdump", "--log-level", "chatty"}, "-log-level"},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and a message containing %q",
				tc.args, code, stderr, stdout, tc.want)
		}
	}
}
