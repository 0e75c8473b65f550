package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPerfServerPortOnly: --listen :PORT listens on every address of the
// host, as no --listen does, on that port; a client reaches it on
// loopback.
func TestPerfServerPortOnly(t *testing.T) {
	port := freeUDPPort(t) // SCTP ports live in the endpoint: any free number will do
	srv := start(t, "perf", "server", "--once", "--listen", fmt.Sprintf(":%d", port), "--udp-port", "0")
	line := srv.log.waitLine(t, "listening on ")
	sctpPort, udpPort, err := parseListening(line)
	if err != nil || sctpPort != port || !strings.Contains(line, "127.0.0.1") {
		t.Fatalf("server says %q (%v); want SCTP port %d on every address, loopback included", line, err, port)
	}
	code, stdout, stderr := runArgs(t.Context(), "perf", "client", "--bytes", "10000",
		"--connect", fmt.Sprintf("127.0.0.1:%d", sctpPort), "--remote-udp-port", fmt.Sprint(udpPort))
	if code != exitOK {
		t.Errorf("client exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestPerfConnectTimeoutMessage: a client that nobody answers says that
// its connect timeout ran out, how long it was, and what it tried.
func TestPerfConnectTimeoutMessage(t *testing.T) {
	port := freeUDPPort(t) // nobody listens there
	start := time.Now()
	code, _, stderr := runArgs(context.Background(), "perf", "client", "--connect", "127.0.0.1:5001",
		"--remote-udp-port", fmt.Sprint(port), "--connect-timeout", "1500ms", "--bytes", "1000")
	t.Logf("gave up after %v: %s", time.Since(start), stderr)
	for _, want := range []string{"connect timeout of 1.5s ran out", fmt.Sprintf("127.0.0.1:5001 (UDP %d)", port), "INIT"} {
		if code != exitFail || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr does not say %q", code, want)
		}
	}
	if strings.Contains(stderr, "context canceled") {
		t.Errorf("stderr blames a cancellation: %s", stderr)
	}
}

// waitLine returns the first line of text output that starts with
// prefix, waiting up to ten seconds for it.
func (l *eventLog) waitLine(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		for line := range strings.SplitSeq(l.text.String(), "\n") {
			if strings.HasPrefix(line, prefix) {
				l.mu.Unlock()
				return line
			}
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("no line %q...; output:\n%s", prefix, l)
		}
	}
}
