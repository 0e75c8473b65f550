package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/stack"
)

// TestPUEmptyPool: pu says what it looks for, reports resolve-failed and
// exits 1 at once on a pool without elements.
func TestPUEmptyPool(t *testing.T) {
	_, reg := testRegistrar(t)
	code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"pu", "--json", "--pool", "NoSuchPool", "--count", "1"}, reg)...)
	if code != exitFail {
		t.Fatalf("pu exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	evs := events(t, stdout)
	if c := named(evs, "connecting"); len(c) != 1 || c[0]["pool"] != "NoSuchPool" || !strings.Contains(c[0]["registrars"].(string), "127.0.0.1") {
		t.Errorf("connecting events %v", c)
	}
	if f := named(evs, "resolve-failed"); len(f) != 1 || !strings.Contains(f[0]["error"].(string), "no pool element") {
		t.Errorf("resolve-failed events %v in\n%s", f, stdout)
	}
	if !strings.Contains(stderr, "NoSuchPool") {
		t.Errorf("stderr %q does not name the pool", stderr)
	}
}

// TestJSONAddrs: pe and hsdump give addresses as an array of strings.
func TestJSONAddrs(t *testing.T) {
	r, reg := testRegistrar(t)
	pe := start(t, slices.Concat([]string{"pe", "--json", "--pool", "P", "--service", "echo", "--listen", "127.0.0.1:0"}, reg)...)
	listening := pe.log.wait(t, "listening", nil)
	if addrs, ok := listening["addrs"].([]any); !ok || len(addrs) != 1 || addrs[0] != "127.0.0.1" {
		t.Errorf("pe listening addrs %#v, want [\"127.0.0.1\"]", listening["addrs"])
	}
	pe.log.wait(t, "registered", nil)
	code, js, stderr := runArgs(t.Context(), "hsdump", "--json", "--registrar", "127.0.0.1", "--registrar-udp-port", fmt.Sprint(r.UDPPort()))
	if code != exitOK || !strings.Contains(js, `"addrs":["127.0.0.1"]`) {
		t.Errorf("hsdump exit %d: %s%s", code, js, stderr)
	}
}

// perfServer runs a perf server in this process until the test ends and
// returns the flags that point a client to it.
func perfServer(t *testing.T) []string {
	srv, err := perf.Listen(perf.ServerConfig{Endpoint: stack.Config{LocalAddrs: []netip.Addr{loopback4}, EphemeralUDPPort: true}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-served
		srv.Close()
	})
	return []string{"--connect", fmt.Sprintf("127.0.0.1:%d", srv.Port()), "--remote-udp-port", fmt.Sprint(srv.UDPPort())}
}

// TestPerfIntervals: the client prints a line per interval, and --json
// carries the same as a series.
func TestPerfIntervals(t *testing.T) {
	to := perfServer(t)
	run := slices.Concat([]string{"perf", "client", "--time", "500ms", "--report-interval", "100ms"}, to)
	code, stdout, stderr := runArgs(t.Context(), run...)
	lines := regexp.MustCompile(`(?m)^ +\d+\.\d\d-\d+\.\d\d +s +\d+\.\d\d MB +\d+\.\d\d Mbit/s$`).FindAllString(stdout, -1)
	if code != exitOK || len(lines) < 2 || !strings.HasPrefix(strings.TrimSpace(lines[0]), "0.00-") {
		t.Errorf("exit %d, interval lines %q in\n%s%s", code, lines, stdout, stderr)
	}

	code, stdout, stderr = runArgs(t.Context(), append(run, "--json")...)
	var r perf.Report
	if err := json.Unmarshal([]byte(stdout), &r); code != exitOK || err != nil || len(r.Intervals) < 2 || r.Intervals[0].Start != 0 || r.Intervals[0].Bytes == 0 {
		t.Errorf("exit %d, %v, intervals %+v\n%s%s", code, err, r.Intervals, stdout, stderr)
	}
}

// TestPerfBitrate: the client never runs ahead of --bitrate: in half a
// second at 8 Mbit/s it sends at most 500 kB and one message.
func TestPerfBitrate(t *testing.T) {
	to := perfServer(t)
	code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"perf", "client", "--json", "--time", "500ms", "--bitrate", "8M"}, to)...)
	var r perf.Report
	if err := json.Unmarshal([]byte(stdout), &r); code != exitOK || err != nil || r.Sent.Bytes == 0 || r.Sent.Bytes > 500_000+perf.DefaultSize {
		t.Errorf("exit %d, %v, sent %d bytes, want at most %d\n%s%s", code, err, r.Sent.Bytes, 500_000+perf.DefaultSize, stdout, stderr)
	}
}

// TestPerfParallel: --parallel 3 runs three associations, each reported
// under its own number.
func TestPerfParallel(t *testing.T) {
	to := perfServer(t)
	code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"perf", "client", "--json", "--bytes", "100000", "--parallel", "3"}, to)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	seen := map[int]bool{}
	for line := range strings.Lines(stdout) {
		var r perf.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Sent.Bytes != 100_000 {
			t.Errorf("%v, report %s", err, line)
		}
		seen[r.Association] = true
	}
	if len(seen) != 3 || !seen[1] || !seen[2] || !seen[3] {
		t.Errorf("associations %v, want 1, 2 and 3", seen)
	}
}

// TestPerfReverse: with --reverse the server sends and the client
// receives what it asked for.
func TestPerfReverse(t *testing.T) {
	to := perfServer(t)
	code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"perf", "client", "--json", "--reverse", "--bytes", "300000", "--streams", "2"}, to)...)
	var r perf.Report
	if err := json.Unmarshal([]byte(stdout), &r); code != exitOK || err != nil || r.Received.Bytes != 300_000 || r.Sent.Bytes != 0 || len(r.Received.Streams) != 2 {
		t.Errorf("exit %d, %v, report %+v\n%s%s", code, err, r, stdout, stderr)
	}
}

// TestPerfNoVerify: --no-verify reaches the client, which then reports
// no hash, and without it the same run reports one.
func TestPerfNoVerify(t *testing.T) {
	to := perfServer(t)
	for _, tc := range []struct {
		flags  []string
		hashed bool
	}{{nil, true}, {[]string{"--no-verify"}, false}} {
		code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"perf", "client", "--json", "--bytes", "10000"}, tc.flags, to)...)
		var r perf.Report
		if err := json.Unmarshal([]byte(stdout), &r); code != exitOK || err != nil || len(r.Sent.Streams) != 1 || (r.Sent.Streams[0].SHA256 != "") != tc.hashed {
			t.Errorf("flags %q: exit %d, %v, sent %+v; want hashed %v\n%s%s", tc.flags, code, err, r.Sent, tc.hashed, stdout, stderr)
		}
	}
}

func TestPerfClientFlagErrors(t *testing.T) {
	client := []string{"perf", "client", "--connect", "localhost:5001"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(client, "--bitrate", "0"), "-bitrate"},
		{append(client, "--bitrate", "fast"), "-bitrate"},
		{append(client, "--parallel", "0"), "--parallel"},
		{append(client, "--parallel", "2", "--udp-port", "5000"), "--parallel"},
		{append(client, "--report-interval", "x"), "-report-interval"},
		{append(client, "--reverse", "--echo"), "--reverse"},
		{append(client, "--ppid", "1885696614"), "--ppid"},
		{[]string{"perf", "client", "--connect", ":5001"}, "--connect: give the server's address"},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
