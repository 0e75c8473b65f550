package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMobileFlagErrors(t *testing.T) {
	reg := []string{"mobile", "--registrar", "127.0.0.1"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mobile", "--handle", "a"}, "--registrar is required"},
		{reg, "--handle or --peer is required"},
		{slices.Concat(reg, []string{"--handle", "a", "--mode", "fly"}), `--mode "fly"`},
		{slices.Concat(reg, []string{"--handle", "a", "--mode", "echo", "--echo"}), "--echo goes with --mode send"},
		{slices.Concat(reg, []string{"--peer", "b", "--time", "1s", "--bytes", "1K"}), "--time and --bytes"},
		{slices.Concat(reg, []string{"--handle", "a", "--mode", "recv", "--time", "1s"}), "go with --mode send"},
		{slices.Concat(reg, []string{"--peer", "b", "--time", "0s"}), "--time 0s"},
		{slices.Concat(reg, []string{"--peer", "b", "--bytes", "0"}), "--bytes 0"},
		{slices.Concat(reg, []string{"--peer", "b", "--size", "0"}), "--size 0"},
		{slices.Concat(reg, []string{"--peer", "b", "--connect-timeout", "0s"}), "--connect-timeout"},
		{slices.Concat(reg, []string{"--peer", "b", "--handover-deadline", "-1s"}), "--handover-deadline"},
		{slices.Concat(reg, []string{"--peer", "b", "--bitrate", "fast"}), "-bitrate"},
		{slices.Concat(reg, []string{"--peer", "b", "--rto-min", "0s"}), "--rto-min"},
		{slices.Concat(reg, []string{"--peer", "b", "--registrar-udp-port", "0"}), "--registrar-udp-port"},
		{slices.Concat(reg, []string{"--peer", "b", "--listen", "nowhere"}), "-listen"},
		{slices.Concat(reg, []string{"--peer", "b", "--log-level", "loud"}), "-log-level"},
		{slices.Concat(reg, []string{"--peer", "b", "extra"}), `unexpected argument "extra"`},
		{[]string{"mobile", "--registrar", "0.0.0.0", "--peer", "b"}, "real address"},
		{slices.Concat(reg, []string{"--peer", "b", "--recovery", "pray"}), `--recovery "pray"`},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and a message containing %q",
				tc.args, code, stderr, stdout, tc.want)
		}
	}
}

// TestMobileLoopback runs two mobile nodes and a registrar in this
// process on loopback, without a move: node a dials node b by its handle
// and sends 200 kB, b echoes, and both report the bytes, equal SHA-256
// and one association; a writes its timeline plot. Node a has a handle
// of its own (the symmetric setup) or none (a pool user: asymmetric).
func TestMobileLoopback(t *testing.T) {
	t.Run("symmetric", func(t *testing.T) { mobileLoopback(t, []string{"--handle", "node-a"}) })
	t.Run("pool user", func(t *testing.T) { mobileLoopback(t, nil) })
}

func mobileLoopback(t *testing.T, own []string) {
	_, reg := testRegistrar(t)
	common := slices.Concat([]string{"mobile", "--json", "--listen", "127.0.0.1"}, reg)
	b := start(t, slices.Concat(common, []string{"--handle", "node-b", "--mode", "echo"})...)
	b.log.wait(t, "reregistered", nil)
	plot := filepath.Join(t.TempDir(), "timeline.svg")
	code, stdout, stderr := runArgs(t.Context(), slices.Concat(common, own, []string{"--peer", "node-b", "--echo",
		"--bytes", "200K", "--size", "1000", "--plot", plot})...)
	if code != exitOK {
		t.Fatalf("node a: exit %d\n%s%s", code, stdout, stderr)
	}
	log := newEventLog()
	log.Write([]byte(stdout))
	sum := log.wait(t, "summary", nil)
	sent, got := sum["sent"].(map[string]any), sum["received"].(map[string]any)
	if sent["bytes"] != float64(200*1024) || sent["sha256"] != got["sha256"] || sum["same_association"] != true || sum["error"] != "" {
		t.Errorf("node a's summary: %v", sum)
	}
	bsum := b.log.wait(t, "summary", nil)
	if bsum["received"].(map[string]any)["sha256"] != sent["sha256"] || bsum["same_association"] != true {
		t.Errorf("node b's summary: %v", bsum)
	}
	if svg, err := os.ReadFile(plot); err != nil || !strings.Contains(string(svg), "<svg") {
		t.Errorf("plot: %v, %.100q", err, svg)
	}
}

// An interrupt ends node a's sending as the end of --time would: it
// waits for the echoes, shuts down and reports success, with what it
// sent, b received and a got back equal.
func TestMobileInterruptEndsSending(t *testing.T) {
	_, reg := testRegistrar(t)
	common := slices.Concat([]string{"mobile", "--json", "--listen", "127.0.0.1"}, reg)
	b := start(t, slices.Concat(common, []string{"--handle", "node-b", "--mode", "echo"})...)
	b.log.wait(t, "reregistered", nil)
	a := start(t, slices.Concat(common, []string{"--peer", "node-b", "--echo", "--time", "10m", "--size", "1000", "--bitrate", "1M"})...)
	a.log.wait(t, "connected", nil)
	if code := a.stop(); code != exitOK {
		t.Fatalf("node a: exit %d after the interrupt\n%s", code, a.log)
	}
	sum := a.log.wait(t, "summary", nil)
	sent, got := sum["sent"].(map[string]any), sum["received"].(map[string]any)
	if sent["sha256"] != got["sha256"] || sum["error"] != "" {
		t.Errorf("node a's summary: %v", sum)
	}
	if bsum := b.log.wait(t, "summary", nil); bsum["received"].(map[string]any)["sha256"] != sent["sha256"] {
		t.Errorf("node b's summary: %v", bsum)
	}
}
