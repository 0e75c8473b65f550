package main

import (
	"strings"
	"testing"
)

// TestDemo runs the demo as make demo does: the element serving the pool
// user dies, the user fails over and no message is lost.
func TestDemo(t *testing.T) {
	code, stdout, stderr := runArgs(t.Context(), "demo")
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
