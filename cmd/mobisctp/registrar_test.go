package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// TestRegistrarFlagErrors checks that bad registrar and hsdump command
// lines exit with status 2 and say what is wrong, before opening sockets.
func TestRegistrarFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"registrar", "--keepalive", "0s"}, "--keepalive"},
		{[]string{"registrar", "--keepalive-timeout", "-1s"}, "--keepalive-timeout"},
		{[]string{"registrar", "--unreachable-threshold", "0"}, "--unreachable-threshold"},
		{[]string{"registrar", "--announce", "239.0.0.50"}, "--announce"},
		{[]string{"registrar", "--announce", "239.0.0.50:0"}, "--announce"},
		{[]string{"registrar", "--announce-interval", "0s"}, "--announce-interval"},
		{[]string{"registrar", "--id", "0x100000000"}, "--id"},
		{[]string{"registrar", "--id", "seven"}, "-id"},
		{[]string{"registrar", "--udp-port", "70000"}, "--udp-port"},
		{[]string{"registrar", "--max-elements", "0"}, "--max-elements"},
		{[]string{"registrar", "--max-elements-per-assoc", "-1"}, "--max-elements-per-assoc"},
		{[]string{"registrar", "--max-elements-per-addr", "0"}, "--max-elements-per-addr"},
		{[]string{"registrar", "--max-pools", "0"}, "--max-pools"},
		{[]string{"registrar", "--max-assocs", "0"}, "--max-assocs"},
		{[]string{"registrar", "--max-lifetime", "0s"}, "--max-lifetime"},
		{[]string{"registrar", "now"}, `unexpected argument "now"`},
		{[]string{"hsdump", "--registrar", "127.0.0.1:0"}, "--registrar"},
		{[]string{"hsdump", "--registrar-udp-port", "0"}, "--registrar-udp-port"},
		{[]string{"hsdump", "--timeout", "0s"}, "--timeout"},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and a message containing %q",
				tc.args, code, stderr, stdout, tc.want)
		}
	}
}

// TestRegistrarLimitFlags checks that the limit flags reach the
// registrar's configuration, and that their defaults are the library's.
func TestRegistrarLimitFlags(t *testing.T) {
	parse := func(args ...string) registrar.Config {
		t.Helper()
		fs := newFlagSet(&env{stdout: io.Discard, stderr: io.Discard}, "registrar", "")
		var v registrarFlagValues
		v.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := v.check(fs); err != nil {
			t.Fatal(err)
		}
		return v.config(&env{stdout: io.Discard, stderr: io.Discard})
	}
	c := parse("--max-elements", "10", "--max-elements-per-assoc", "2", "--max-elements-per-addr", "3",
		"--max-pools", "4", "--max-assocs", "5", "--max-lifetime", "1m")
	if c.MaxElements != 10 || c.MaxElementsPerAssoc != 2 || c.MaxElementsPerAddr != 3 || c.MaxPools != 4 ||
		c.MaxSessions != 5 || c.MaxLifetime != time.Minute {
		t.Errorf("config %+v", c)
	}
	d := parse()
	if d.MaxElements != registrar.DefaultMaxElements || d.MaxElementsPerAssoc != registrar.DefaultMaxElementsPerAssoc ||
		d.MaxElementsPerAddr != registrar.DefaultMaxElementsPerAddr || d.MaxPools != registrar.DefaultMaxPools ||
		d.MaxSessions != registrar.DefaultMaxSessions || d.MaxLifetime != registrar.DefaultMaxLifetime {
		t.Errorf("defaults %+v", d)
	}
}

// TestRegistrarEventsShort prints events with a 60,000-byte pool handle
// and with 1000 addresses, in text and JSON: no line quotes them in full.
func TestRegistrarEventsShort(t *testing.T) {
	addrs := make([]netip.Addr, 1000)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	el := &registrar.Element{PoolElement: wire.PoolElement{ID: 1, RegLife: 30000, Policy: wire.Policy{Type: wire.PolicyRoundRobin},
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7, Addrs: addrs}}}
	events := []registrar.Event{
		{Type: registrar.EventRejected, Handle: strings.Repeat("h", 60000), ID: 1, Cause: wire.CauseInvalidValues},
		{Type: registrar.EventRegistered, Handle: "echo", ID: 1, Element: el},
	}
	for _, json := range []bool{false, true} {
		var b strings.Builder
		out := &reporter{w: &b, json: json}
		for _, ev := range events {
			reportRegistrarEvent(out, ev)
		}
		for line := range strings.Lines(b.String()) {
			if len(line) > 600 {
				t.Errorf("json %v: line of %d bytes: %.100s...", json, len(line), line)
			}
		}
	}
	if len(el.UserTransport.Addrs) != 1000 {
		t.Error("printing changed the event")
	}
}

// TestRegistrarAndHsdump runs the registrar command in this process on
// loopback, registers an element with it, dumps the handlespace with
// hsdump in text and JSON, and stops the registrar.
func TestRegistrarAndHsdump(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	out := &lineWriter{first: make(chan string, 1)}
	var errs strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: out, stderr: &errs}, []string{"registrar", "--listen", "127.0.0.1", "--udp-port", "0", "--id", "0x5eed", "--json"})
	}()
	var listening struct {
		Event   string
		Server  uint32
		UDPPort int `json:"udp_port"`
	}
	if err := json.Unmarshal([]byte(<-out.first), &listening); err != nil || listening.Event != "listening" || listening.Server != 0x5eed {
		t.Fatalf("first line: %+v, %v", listening, err)
	}
	udpPort := fmt.Sprint(listening.UDPPort)
	registerElement(t, listening.UDPPort)

	code, text, stderr := runArgs(t.Context(), "hsdump", "--registrar-udp-port", udpPort)
	if code != exitOK || !strings.Contains(text, `pool "cli": RoundRobin, 1 elements`) || !strings.Contains(text, "$0000002a  sctp 127.0.0.1:7") {
		t.Errorf("hsdump: exit %d\n%s%s", code, text, stderr)
	}
	code, js, stderr := runArgs(t.Context(), "hsdump", "--registrar-udp-port", udpPort, "--json")
	var table struct {
		Server uint32
		Pools  []struct {
			Handle   string
			Elements []struct {
				ID     uint32
				LifeMS uint32 `json:"life_ms"`
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &table); code != exitOK || err != nil || table.Server != 0x5eed ||
		len(table.Pools) != 1 || table.Pools[0].Elements[0].ID != 42 || table.Pools[0].Elements[0].LifeMS != 30000 {
		t.Errorf("hsdump --json: exit %d, %v, %+v\n%s%s", code, err, table, js, stderr)
	}

	stop()
	if code := <-done; code != exitOK {
		t.Errorf("registrar exit %d: %s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var events []string
	for _, l := range lines {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Errorf("line %q is not JSON: %v", l, err)
		}
		events = append(events, ev.Event)
	}
	if want := "listening registered removed stopped"; strings.Join(events, " ") != want {
		t.Errorf("events %v, want %s", events, want)
	}
}

// registerElement registers element 42 of pool "cli" at port 7 of
// 127.0.0.1 with the registrar at udpPort, over an association that stays
// up until the test ends.
func registerElement(t *testing.T, udpPort int) {
	t.Helper()
	// A port outside the ephemeral range: hsdump's, picked at random,
	// cannot be the same, which would make the two one SCTP endpoint.
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: []netip.Addr{loopback4}, Port: 7000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{loopback4}, Port: wire.PortASAP, UDPPort: uint16(udpPort)})
	if err != nil {
		t.Fatal(err)
	}
	reg := wire.Registration{Handle: wire.PoolHandle("cli"), Element: wire.PoolElement{
		ID: 42, RegLife: 30000, Policy: wire.Policy{Type: wire.PolicyRoundRobin},
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7, Addrs: []netip.Addr{loopback4}},
	}}
	if err := a.SendMsg(ctx, wire.AppendASAP(nil, &reg), stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, _, err := a.RecvMsg(ctx, buf)
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.RegistrationResponse
	m, err := wire.ParseASAP(buf[:n])
	if err == nil {
		err = m.Decode(&resp)
	}
	if err != nil || resp.Reject {
		t.Fatalf("registration: %+v, %v", resp, err)
	}
}
