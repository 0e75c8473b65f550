package perf

import (
	"strings"
	"testing"
	"time"
)

func TestConsoleClearsProgressLine(t *testing.T) {
	var out strings.Builder
	c := newConsole(Output{Stdout: &out, Progress: true})
	origin := c.origin
	c.progress(progressLine(2*time.Second, 3_000_000, 1_000_000))
	c.event("#1", origin.Add(1500*time.Millisecond), "path-down 192.0.2.1:9899")
	want := "+2s  3.0 MB  8.00 Mbit/s\r\x1b[K#1 +1.500s path-down 192.0.2.1:9899\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

func TestConsoleJSONKeepsEventsOffStdout(t *testing.T) {
	var stdout, stderr strings.Builder
	c := newConsole(Output{Stdout: &stdout, Stderr: &stderr, JSON: true, Progress: true})
	if c.meters {
		t.Error("a progress line would be drawn in JSON mode")
	}
	c.event("", time.Now(), "comm-up")
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "comm-up") {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
