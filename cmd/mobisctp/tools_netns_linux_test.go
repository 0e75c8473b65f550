package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestToolsAcrossNamespaces runs the RSerPool tools without a local
// address, as a new user would: a registrar in one namespace, a pool
// element, a pool user and hsdump in another, joined by a veth pair. Each
// uses the addresses of its namespace by default and finds the others by
// the veth addresses alone.
func TestToolsAcrossNamespaces(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	nsReg, nsEl := netns.New(t, "reg"), netns.New(t, "el")
	regAddr, elAddr := netip.MustParseAddr("10.96.0.1"), netip.MustParseAddr("10.96.0.2")
	netns.Veth(t, nsReg, "eth1", netip.PrefixFrom(regAddr, 24), nsEl, "eth1", netip.PrefixFrom(elAddr, 24))

	reg := startIn(t, nsReg, "registrar", "--json")
	if addrs := fmt.Sprint(reg.log.wait(t, "listening", nil)["addrs"]); !strings.Contains(addrs, regAddr.String()) {
		t.Errorf("registrar listens on %s, not on its veth address %v", addrs, regAddr)
	}
	pe := startIn(t, nsEl, "pe", "--json", "--pool", "EchoPool", "--service", "echo", "--registrar", regAddr.String())
	id := pe.log.wait(t, "listening", nil)["id"]
	pe.log.wait(t, "registered", nil)

	code, stdout, stderr := runIn(t, nsEl, "pu", "--json", "--pool", "EchoPool", "--registrar", regAddr.String(), "--count", "3", "--interval", "10ms")
	if code != exitOK {
		t.Fatalf("pu exit %d\n%s%s", code, stdout, stderr)
	}
	if replies := named(events(t, stdout), "reply"); len(replies) != 3 || replies[0]["pe"] != id {
		t.Errorf("pu replies %v, want 3 from %v", replies, id)
	}

	code, stdout, stderr = runIn(t, nsEl, "hsdump", "--registrar", regAddr.String())
	if code != exitOK || !strings.Contains(stdout, `pool "EchoPool"`) || !strings.Contains(stdout, elAddr.String()) {
		t.Errorf("hsdump: exit %d\n%s%s", code, stdout, stderr)
	}
}

// startIn is start inside a namespace: the command opens its sockets there.
func startIn(t *testing.T, ns *netns.NS, args ...string) *runningCommand {
	ctx, cancel := context.WithCancel(context.Background())
	c := &runningCommand{log: newEventLog(), cancel: cancel, code: make(chan int, 1)}
	go func() {
		code := exitFail
		if err := ns.Do(func() error { code = run(ctx, &env{stdout: c.log, stderr: c.log}, args); return nil }); err != nil {
			t.Errorf("%s: %v", args[0], err)
		}
		c.code <- code
	}()
	t.Cleanup(func() { c.stop() })
	return c
}

// runIn is runArgs inside a namespace.
func runIn(t *testing.T, ns *netns.NS, args ...string) (code int, stdout, stderr string) {
	if err := ns.Do(func() error { code, stdout, stderr = runArgs(t.Context(), args...); return nil }); err != nil {
		t.Fatal(err)
	}
	return code, stdout, stderr
}
