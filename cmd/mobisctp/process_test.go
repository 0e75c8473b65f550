package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mobisctp/mobisctp/internal/perf"
)

// TestProcesses builds the binary and runs perf server and perf client as
// separate processes on loopback, with ephemeral ports.
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)

	server := startPerf(t, "server", bin, "perf", "server", "--once", "--json", "--listen", "127.0.0.1:0", "--udp-port", "0")
	sctpPort, udpPort := server.listening(t)
	client := startPerf(t, "client", bin, "perf", "client", "--json", "--bytes", "1000000",
		"--connect", fmt.Sprintf("127.0.0.1:%d", sctpPort), "--remote-udp-port", fmt.Sprint(udpPort))

	sent := client.report(t).Sent
	received := server.report(t).Received
	if sent.Bytes != 1000000 {
		t.Errorf("client sent %d bytes, want 1000000", sent.Bytes)
	}
	if err := perf.Compare(sent, received); err != nil {
		t.Error(err)
	}
}

// perfProcess is a perf server or client running as a process of its own.
type perfProcess struct {
	name   string
	cmd    *exec.Cmd
	stdout strings.Builder
	stderr *lineWriter
}

// startPerf starts the command line argv (perf, possibly behind a wrapper
// such as ip netns exec) and stops it when the test ends, even if the test
// fails half way.
func startPerf(t *testing.T, name string, argv ...string) *perfProcess {
	t.Helper()
	p := &perfProcess{name: name, cmd: exec.CommandContext(t.Context(), argv[0], argv[1:]...),
		stderr: &lineWriter{first: make(chan string, 1)}}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
	return p
}

// listening waits for a server's first line on stderr and returns the
// ports it reports.
func (p *perfProcess) listening(t *testing.T) (sctpPort, udpPort int) {
	t.Helper()
	sctpPort, udpPort, err := parseListening(<-p.stderr.first)
	if err != nil {
		t.Fatal(err)
	}
	return sctpPort, udpPort
}

// report waits for the process to exit and returns its JSON report.
func (p *perfProcess) report(t *testing.T) perf.Report {
	t.Helper()
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s\n%s", p.name, err, p.stderr.String(), p.stdout.String()) // the report says where it stopped
	}
	var r perf.Report
	if err := json.Unmarshal([]byte(p.stdout.String()), &r); err != nil {
		t.Fatalf("%s output is not one JSON object: %v\n%s", p.name, err, p.stdout.String())
	}
	return r
}

// buildBinary builds mobisctp into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mobisctp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lineWriter keeps what a process writes and hands over its first line.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	first chan string // receives the first line, once
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), "\n")
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok && !had {
		w.first <- line
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// parseListening reads the ports from the server's first line on stderr.
func parseListening(line string) (sctpPort, udpPort int, err error) {
	var addrs string
	if _, err := fmt.Sscanf(line, "listening on %s SCTP port %d, UDP port %d", &addrs, &sctpPort, &udpPort); err != nil {
		return 0, 0, fmt.Errorf("server said %q: %w", line, err)
	}
	return sctpPort, udpPort, nil
}
