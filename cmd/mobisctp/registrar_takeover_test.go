package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// TestRegistrarTakeoverProcesses runs three registrar processes that peer
// over ENRP on loopback, registers pool elements with the third, kills it
// with SIGKILL and waits until hsdump shows, on both survivors, the same
// table with every element and a survivor as its home.
func TestRegistrarTakeoverProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits for the peer timeouts")
	}
	bin := buildBinary(t)
	enrpPorts := []int{freeUDPPort(t), freeUDPPort(t), freeUDPPort(t)}
	udpPorts := make([]int, 3)
	var procs []*exec.Cmd
	for i := range 3 {
		args := []string{"registrar", "--listen", fmt.Sprintf("127.0.0.%d", i+1), "--udp-port", "0", "--id", fmt.Sprint(i + 1),
			"--enrp-port", fmt.Sprint(enrpPorts[i]), "--json"}
		var peers []string
		for j := range i {
			peers = append(peers, fmt.Sprintf("127.0.0.%d:%d", j+1, enrpPorts[j]))
		}
		if len(peers) > 0 {
			args = append(args, "--peer", strings.Join(peers, ","))
		}
		cmd, first := startProcess(t, bin, args...)
		var l struct {
			UDPPort int `json:"udp_port"`
		}
		if err := json.Unmarshal([]byte(<-first), &l); err != nil {
			t.Fatal(err)
		}
		udpPorts[i], procs = l.UDPPort, append(procs, cmd)
	}

	const elements = 5
	for i := range elements {
		procElement(t, i, udpPorts[2])
	}
	table := func(r int) (map[uint32]uint32, string) {
		code, js, stderr := runArgs(t.Context(), "hsdump", "--json", "--registrar", fmt.Sprintf("127.0.0.%d:3863", r+1), "--registrar-udp-port", fmt.Sprint(udpPorts[r]))
		var tab struct {
			Pools []struct {
				Elements []struct{ ID, Home uint32 }
			}
		}
		homes := map[uint32]uint32{}
		if code != exitOK || json.Unmarshal([]byte(js), &tab) != nil {
			return homes, stderr
		}
		for _, p := range tab.Pools {
			for _, e := range p.Elements {
				homes[e.ID] = e.Home
			}
		}
		return homes, js
	}
	waitFor := func(what string, ok func() bool) time.Duration {
		start := time.Now()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for !ok() {
			if time.Since(start) > time.Minute {
				a, _ := table(0)
				b, _ := table(1)
				t.Fatalf("%s: not within a minute; homes at 1: %v, at 2: %v", what, a, b)
			}
			<-tick.C
		}
		return time.Since(start)
	}
	waitFor("the elements reach registrar 1", func() bool { h, _ := table(0); return len(h) == elements })

	procs[2].Process.Kill() // SIGKILL
	killed := waitFor("takeover", func() bool {
		a, _ := table(0)
		b, _ := table(1)
		if len(a) != elements || len(b) != elements {
			return false
		}
		for id, home := range a {
			if home == 3 || b[id] != home {
				return false
			}
		}
		return true
	})
	t.Logf("every element of the killed registrar had a new home on both survivors %v after SIGKILL", killed)
}

// startProcess starts bin with args, stops it when the test ends, and
// hands over the first line of its standard output.
func startProcess(t *testing.T, bin string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	out := &lineWriter{first: make(chan string, 1)}
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, out.first
}

// procElement registers element i+1 of pool "proc" from 127.0.0.(10+i),
// port 7000 (SCTP and UDP, where a new home reaches it), with the
// registrar on 127.0.0.3, and answers every Endpoint Keep-Alive on every
// association until the test ends.
func procElement(t *testing.T, i, udpPort int) {
	t.Helper()
	addr := netip.AddrFrom4([4]byte{127, 0, 0, byte(10 + i)})
	ep, err := stack.Listen(stack.Config{LocalAddrs: []netip.Addr{addr}, Port: 7000, UDPPort: 7000, NoDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 3})}, Port: wire.PortASAP, UDPPort: uint16(udpPort)})
	if err != nil {
		t.Fatal(err)
	}
	reg := wire.Registration{Handle: wire.PoolHandle("proc"), Element: wire.PoolElement{
		ID: wire.PEID(i + 1), RegLife: 600_000, Policy: wire.Policy{Type: wire.PolicyRoundRobin},
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7000, Use: wire.DataPlusControl, Addrs: []netip.Addr{addr}},
	}}
	if err := a.SendMsg(ctx, wire.AppendASAP(nil, &reg), stack.SendInfo{PPID: wire.PPIDASAP}); err != nil {
		t.Fatal(err)
	}
	go answerKeepAlives(a)
	go func() {
		for {
			b, err := ep.Accept(context.Background())
			if err != nil {
				return
			}
			go answerKeepAlives(b)
		}
	}()
}

// answerKeepAlives acknowledges the Endpoint Keep-Alives on a until it
// ends; other messages (the Registration Response) are read and dropped.
func answerKeepAlives(a *stack.Association) {
	buf := make([]byte, 65536)
	for {
		n, _, err := a.RecvMsg(context.Background(), buf)
		if err != nil {
			return
		}
		m, err := wire.ParseASAP(buf[:n])
		var ka wire.EndpointKeepAlive
		if err != nil || m.Type() != wire.ASAPEndpointKeepAlive || m.Decode(&ka) != nil {
			continue
		}
		ack := wire.AppendASAP(nil, &wire.EndpointKeepAliveAck{Handle: ka.Handle, PEID: ka.PEID})
		if a.SendMsg(context.Background(), ack, stack.SendInfo{PPID: wire.PPIDASAP}) != nil {
			return
		}
	}
}
