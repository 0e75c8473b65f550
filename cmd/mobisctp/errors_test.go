package main

import (
	"strings"
	"testing"
)

// TestHsdumpNoRegistrar: with nobody listening, hsdump names the address
// it tried and that no INIT ACK came, not just a deadline.
func TestHsdumpNoRegistrar(t *testing.T) {
	code, stdout, stderr := runArgs(t.Context(), "hsdump", "--registrar", "127.0.0.1:3863", "--registrar-udp-port", "9", "--timeout", "300ms")
	if code != exitFail || stdout != "" || !strings.Contains(stderr, "127.0.0.1:3863 (UDP 9)") || !strings.Contains(stderr, "no INIT ACK") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 naming 127.0.0.1:3863 (UDP 9) and no INIT ACK", code, stdout, stderr)
	}
}
