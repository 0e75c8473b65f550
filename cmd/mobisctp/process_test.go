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

	server := exec.CommandContext(t.Context(), bin, "perf", "server", "--once", "--json",
		"--listen", "127.0.0.1:0", "--udp-port", "0")
	var serverOut strings.Builder
	serverErr := &lineWriter{first: make(chan string, 1)}
	server.Stdout, server.Stderr = &serverOut, serverErr
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	// Cleanup ends the server even if the test fails half way.
	t.Cleanup(func() {
		server.Process.Kill()
		server.Wait()
	})
	sctpPort, udpPort, err := parseListening(<-serverErr.first)
	if err != nil {
		t.Fatal(err)
	}

	client := exec.CommandContext(t.Context(), bin, "perf", "client", "--json", "--bytes", "1000000",
		"--connect", fmt.Sprintf("127.0.0.1:%d", sctpPort), "--remote-udp-port", fmt.Sprint(udpPort))
	clientOut, err := client.Output()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderrOf(err))
	}
	if err := server.Wait(); err != nil {
		t.Fatalf("server: %v\n%s", err, serverErr.String())
	}

	sent := decodeReport(t, "client", clientOut).Sent
	received := decodeReport(t, "server", []byte(serverOut.String())).Received
	if sent.Bytes != 1000000 {
		t.Errorf("client sent %d bytes, want 1000000", sent.Bytes)
	}
	if err := perf.Compare(sent, received); err != nil {
		t.Error(err)
	}
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

func decodeReport(t *testing.T, who string, out []byte) perf.Report {
	t.Helper()
	var r perf.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s output is not one JSON object: %v\n%s", who, err, out)
	}
	return r
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
