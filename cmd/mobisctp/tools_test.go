package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
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
