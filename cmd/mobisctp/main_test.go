package main

import (
	"context"
	"strings"
	"testing"
)

// runArgs runs a command line in this process and returns its exit status
// and output.
func runArgs(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errs strings.Builder
	code = run(ctx, &env{stdout: &out, stderr: &errs}, args)
	return code, out.String(), errs.String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		contains []string // in stdout and stderr together
	}{
		{nil, exitUsage, []string{"missing command", "perf", "demo", "help"}},
		{[]string{"help"}, exitOK, []string{"usage: mobisctp <command>", "perf", "demo"}},
		{[]string{"--help"}, exitOK, []string{"perf"}},
		{[]string{"frobnicate"}, exitUsage, []string{`unknown command "frobnicate"`}},
		{[]string{"perf"}, exitUsage, []string{"server", "client"}},
		{[]string{"help", "perf"}, exitOK, []string{"mobisctp perf <command>", "server", "client"}},
		{[]string{"perf", "help", "client"}, exitOK, []string{"--connect", "--bytes", "--time"}},
		{[]string{"perf", "client", "-h"}, exitOK, []string{"usage: mobisctp perf client"}},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d", tc.args, code, tc.code)
		}
		for _, want := range tc.contains {
			if !strings.Contains(stdout+stderr, want) {
				t.Errorf("%q: output lacks %q:\n%s%s", tc.args, want, stdout, stderr)
			}
		}
	}
}

// TestFlagErrors checks that every bad command line exits with status 2
// and a message naming what is wrong, before opening any socket.
func TestFlagErrors(t *testing.T) {
	client := []string{"perf", "client", "--connect", "127.0.0.1:5001"}
	server := []string{"perf", "server", "--listen", "127.0.0.1:0", "--udp-port", "0"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"perf", "client"}, "--connect is required"},
		{[]string{"perf", "client", "--connect", "nowhere"}, "-connect"},
		{[]string{"perf", "client", "--connect", "127.0.0.1:1,127.0.0.2:2"}, "two different ports"},
		{[]string{"perf", "client", "--connect", "127.0.0.1:0"}, "--connect"},
		{[]string{"perf", "client", "--connect", "0.0.0.0:5001"}, "wildcard"},
		{append(client, "--time", "1s", "--bytes", "1000"), "--time and --bytes"},
		{append(client, "--time", "0s"), "--time"},
		{append(client, "--bytes", "0"), "--bytes"},
		{append(client, "--bytes", "12X"), "-bytes"},
		{append(client, "--size", "0"), "--size"},
		{append(client, "--size", "2G"), "--size"},
		{append(client, "--streams", "0"), "--streams"},
		{append(client, "--streams", "5000"), "--streams"},
		{append(client, "--ppid", "4294967296"), "--ppid"},
		{append(client, "--remote-udp-port", "0"), "--remote-udp-port"},
		{append(client, "--udp-port", "70000"), "--udp-port"},
		{append(client, "--bind", "127.0.0.1:4000"), "--bind"},
		{append(client, "--size", "-5"), "-size"},
		{append(client, "extra"), `unexpected argument "extra"`},
		{[]string{"perf", "server", "--listen", "127.0.0.1:99999"}, "-listen"},
		{append(server, "--udp-port", "-1"), "--udp-port"},
		{append(server, "--bogus"), "-bogus"},
		{append(server, "--once", "now"), `unexpected argument "now"`},
		{[]string{"demo", "--fast"}, "-fast"},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and a message containing %q",
				tc.args, code, stderr, stdout, tc.want)
		}
	}
}

// TestBadFlagShortUsage: a bad flag value prints the error, the one-line
// synopsis and where to find the rest, not every flag; --help lists them.
func TestBadFlagShortUsage(t *testing.T) {
	for _, args := range [][]string{
		{"perf", "client", "--connect", "127.0.0.1:5001", "--size", "huge"},
		{"pe", "--pool", "P", "--service", "echo", "--registrar", "127.0.0.1", "--bogus"},
		{"hsdump", "--timeout", "soon"},
	} {
		code, stdout, stderr := runArgs(t.Context(), args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != exitUsage || stdout != "" || len(lines) != 3 || !strings.HasPrefix(lines[1], "usage: mobisctp ") || !strings.Contains(lines[2], "--help") {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2, the error, the synopsis and a hint", args, code, stdout, stderr)
		}
	}
	code, _, stderr := runArgs(t.Context(), "pe", "--help")
	if code != exitOK || !strings.Contains(stderr, "-rereg-interval") {
		t.Errorf("pe --help: exit %d, every flag expected:\n%s", code, stderr)
	}
}
