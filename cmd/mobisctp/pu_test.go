package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// events decodes the JSON lines a command printed.
func events(t *testing.T, out string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for line := range strings.Lines(out) {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		evs = append(evs, ev)
	}
	return evs
}

// named returns the events named name.
func named(evs []map[string]any, name string) []map[string]any {
	var out []map[string]any
	for _, ev := range evs {
		if ev["event"] == name {
			out = append(out, ev)
		}
	}
	return out
}

// runPUArgs runs pu on pool with JSON output and returns its events.
func runPUArgs(t *testing.T, reg []string, pool string, args ...string) []map[string]any {
	t.Helper()
	code, stdout, stderr := runArgs(t.Context(), slices.Concat([]string{"pu", "--json", "--pool", pool}, reg, args)...)
	if code != exitOK {
		t.Fatalf("pu exit %d\n%s%s", code, stdout, stderr)
	}
	return events(t, stdout)
}

func TestPUEcho(t *testing.T) {
	_, reg := testRegistrar(t)
	_, id := startPE(t, reg, "EchoPool", "--service", "echo")
	evs := runPUArgs(t, reg, "EchoPool", "--count", "5", "--interval", "10ms")
	if c := named(evs, "connected"); len(c) != 1 || c[0]["new"].(map[string]any)["id"] != id {
		t.Errorf("connected events %v, want one to $%08x", c, uint32(id))
	}
	replies := named(evs, "reply")
	for i, r := range replies {
		if r["data"] != fmt.Sprintf("message %d", i+1) || r["pe"] != id {
			t.Errorf("reply %d: %v", i+1, r)
		}
	}
	sum := named(evs, "summary")
	if len(replies) != 5 || len(sum) != 1 || sum[0]["sent"] != 5.0 || sum[0]["unanswered"] != 0.0 {
		t.Errorf("%d replies, summary %v", len(replies), sum)
	}
}

// TestPUFailsOver stops the element serving pu, which fails over to the
// other element with its last cookie and loses nothing.
func TestPUFailsOver(t *testing.T) {
	_, reg := testRegistrar(t)
	pe1, id1 := startPE(t, reg, "EchoPool", "--service", "echo")
	pe2, id2 := startPE(t, reg, "EchoPool", "--service", "echo")
	pu := start(t, slices.Concat([]string{"pu", "--json", "--pool", "EchoPool"}, reg, []string{"--count", "40", "--interval", "20ms"})...)
	serving := pu.log.wait(t, "connected", nil)["new"].(map[string]any)["id"]
	pu.log.wait(t, "reply", func(ev map[string]any) bool { return ev["data"] == "message 10" })
	stopped, other, otherLog := pe1, id2, pe2.log
	if serving == id2 {
		stopped, other, otherLog = pe2, id1, pe1.log
	}
	stopped.stop()
	pu.log.wait(t, "failover", func(ev map[string]any) bool {
		return ev["old"].(map[string]any)["id"] == serving && ev["new"].(map[string]any)["id"] == other
	})
	otherLog.wait(t, "restored", nil)
	sum := pu.log.wait(t, "summary", nil)
	if sum["sent"] != 40.0 || sum["unanswered"] != 0.0 || sum["replies"].(float64) < 40 {
		t.Errorf("summary %v\n%s", sum, pu.log)
	}
	if code := pu.stop(); code != exitOK {
		t.Errorf("pu exit %d", code)
	}
}

func TestPUTerminalServices(t *testing.T) {
	_, reg := testRegistrar(t)
	for _, svc := range []string{"daytime", "discard", "chargen"} {
		startPE(t, reg, svc, "--service", svc)
	}
	defer func(r io.Reader) { terminalInput = r }(terminalInput)
	terminalInput = strings.NewReader("what time is it?\n")
	// The element speaks first and hangs up: if the line went out after
	// the time came in, it is sent again, to another connection, and
	// answered with the time again.
	day := named(runPUArgs(t, reg, "daytime"), "reply")
	if len(day) == 0 || len(day) > 2 {
		t.Fatalf("daytime replies %v", day)
	}
	for _, r := range day {
		if _, err := time.Parse(time.RFC1123, r["data"].(string)); err != nil {
			t.Errorf("daytime: %v", err)
		}
	}

	sum := named(runPUArgs(t, reg, "discard", "--count", "3", "--interval", "10ms"), "summary")
	if len(sum) != 1 || sum[0]["replies"] != 0.0 || sum[0]["unanswered"] != 3.0 {
		t.Errorf("discard: %v", sum)
	}

	gen := named(runPUArgs(t, reg, "chargen", "--count", "1"), "reply")
	if len(gen) == 0 || gen[0]["data"] != ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`+"`"+`abcdefg` {
		t.Errorf("chargen: first of %d replies %v", len(gen), gen[:min(1, len(gen))])
	}
}
