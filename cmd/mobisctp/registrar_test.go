package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

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
