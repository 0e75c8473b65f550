package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the pool failover demo: the element serving the pool
// user dies, the user fails over and no message is lost.
func TestDemo(t *testing.T) {
	code, stdout, stderr := runArgs(t.Context(), "demo", "pool")
	for _, want := range []string{
		"killing $", "registrar: removed", "element-lost $", "cookie echo: session state restored",
		"failover $", "cookie echo true", "80 messages sent, 80 echoed, 0 lost", "the loss was noticed",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != exitOK || t.Failed() {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestMoveDemo runs the demo as make demo does: both nodes move at once,
// the association lives on, nothing is lost, and the plot is written.
func TestMoveDemo(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "handover.svg")
	code, stdout, stderr := runArgs(t.Context(), "demo", "--svg", svg)
	for _, want := range []string{
		"node a  address-lost", "node b  address-gained", "asconf-acked", "first-data",
		"a->b: 300 messages sent, 300 delivered in order, 0 lost, SHA-256 equal true",
		"b->a: 300 messages sent, 300 delivered in order, 0 lost, SHA-256 equal true",
		"same association: true", "1 INIT in all",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("plot: %v", err)
	}
	if code != exitOK || t.Failed() {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
