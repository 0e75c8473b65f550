package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// TestRegistrarTakeoverProcesses is the acceptance run: three
// registrar processes peer over ENRP on loopback, 999 pool elements
// register, a third at each, and three pool users ask the registrars
// (each a different one first) all along. One registrar is killed with
// SIGKILL: hsdump then shows, on both survivors, the same table with every
// element once and a survivor as its home, and every resolution the users
// made was answered. The registrar is restarted with the same identifier
// and rejoins: it gets the full table. The times are logged.
func TestRegistrarTakeoverProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits for the peer timeouts")
	}
	const registrars, elements = 3, 999
	bin := buildBinary(t)
	enrpPorts := testenv.FreeUDPPorts(t, registrars)
	args := make([][]string, registrars)
	regs := make([]stack.Remote, registrars)
	var procs []*exec.Cmd
	for i := range registrars {
		args[i] = []string{"registrar", "--listen", fmt.Sprintf("127.0.0.%d", i+1), "--udp-port", "0", "--id", fmt.Sprint(i + 1),
			"--enrp-port", fmt.Sprint(enrpPorts[i]), "--json"}
		var peers []string
		for j := range registrars {
			if j != i {
				peers = append(peers, fmt.Sprintf("127.0.0.%d:%d", j+1, enrpPorts[j]))
			}
		}
		args[i] = append(args[i], "--peer", strings.Join(peers, ","))
		var cmd *exec.Cmd
		cmd, regs[i] = startRegistrar(t, bin, args[i])
		procs = append(procs, cmd)
	}
	for i := range elements {
		procElement(t, i, regs[i%registrars])
	}
	table := func(r int) hsdumpView { return hsdumpTable(t, regs[r]) }
	waitFor := func(what string, ok func() bool) time.Duration {
		start := time.Now()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for !ok() {
			if time.Since(start) > 2*time.Minute {
				t.Fatalf("%s: not within 2 minutes; registrar 1 holds %d, registrar 2 %d", what, table(0).entries, table(1).entries)
			}
			<-tick.C
		}
		return time.Since(start)
	}
	agree := func(rs ...int) func() bool {
		return func() bool {
			first := table(rs[0])
			if first.entries != elements || len(first.homes) != elements {
				return false
			}
			for _, r := range rs[1:] {
				if !reflect.DeepEqual(table(r), first) {
					return false
				}
			}
			return true
		}
	}
	took := waitFor("the registrars agree", agree(0, 1, 2))
	t.Logf("three registrars agree on %d elements %v after the last registration", elements, took)

	users := startUsers(t, regs)
	procs[2].Process.Kill() // SIGKILL
	procs[2].Wait()
	killed := time.Now()
	took = waitFor("takeover", func() bool {
		return agree(0, 1)() && !table(0).hasHome(3)
	})
	t.Logf("every element of the killed registrar had a new home on both survivors %v after SIGKILL", took)

	_, regs[2] = startRegistrar(t, bin, args[2])
	restarted := time.Now()
	took = waitFor("the restarted registrar has the full table", agree(2, 0, 1))
	t.Logf("the restarted registrar had the full table %v after it started", took)
	users.check(t, killed, restarted)
}

// startRegistrar starts a registrar process with args and returns where
// its ASAP endpoint listens, from its first line.
func startRegistrar(t *testing.T, bin string, args []string) (*exec.Cmd, stack.Remote) {
	t.Helper()
	cmd, first := startProcess(t, bin, args...)
	var l struct {
		Addrs   []netip.Addr `json:"addrs"`
		Port    uint16       `json:"port"`
		UDPPort uint16       `json:"udp_port"`
	}
	if err := json.Unmarshal([]byte(<-first), &l); err != nil {
		t.Fatal(err)
	}
	return cmd, stack.Remote{Addrs: l.Addrs, Port: l.Port, UDPPort: l.UDPPort}
}

// hsdumpView is what hsdump --json shows of a registrar's table: each
// element's home, how many element entries it lists (more than homes if
// an element were listed twice), and the PE checksum of each home's
// elements.
type hsdumpView struct {
	homes   map[uint32]uint32
	entries int
	sums    []hsdumpChecksum
}

type hsdumpChecksum struct{ Home, Elements, Checksum uint32 }

// hasHome reports whether some element has home id.
func (v hsdumpView) hasHome(id uint32) bool {
	for _, h := range v.homes {
		if h == id {
			return true
		}
	}
	return false
}

// hsdumpTable runs hsdump against r; a failed hsdump gives an empty
// view.
func hsdumpTable(t *testing.T, r stack.Remote) hsdumpView {
	return parseHsdump(runArgs(t.Context(), "hsdump", "--json", "--timeout", "3s", "--registrar", netip.AddrPortFrom(r.Addrs[0], r.Port).String(),
		"--registrar-udp-port", fmt.Sprint(r.UDPPort)))
}

// parseHsdump reads the output of hsdump --json; a failed hsdump gives an
// empty view.
func parseHsdump(code int, js, _ string) hsdumpView {
	v := hsdumpView{homes: map[uint32]uint32{}}
	var tab struct {
		Pools []struct {
			Elements []struct{ ID, Home uint32 }
		}
		Checksums []hsdumpChecksum
	}
	if code != exitOK || json.Unmarshal([]byte(js), &tab) != nil {
		return v
	}
	for _, pool := range tab.Pools {
		for _, e := range pool.Elements {
			v.homes[e.ID] = e.Home
			v.entries++
		}
	}
	v.sums = tab.Checksums
	return v
}

// userRecord is what one pool user saw: when each resolution was
// answered, and the resolutions that failed.
type userRecord struct {
	mu       sync.Mutex
	answered []time.Time
	failed   []error
}

// processUsers are pool users resolving pool "proc" all along, each with
// another registrar first in its list, until the test ends.
type processUsers struct {
	recs   []*userRecord
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startUsers starts one pool user per registrar, each asking that one
// first and failing over to the others in order, every 100 ms.
func startUsers(t *testing.T, regs []stack.Remote) *processUsers {
	ctx, cancel := context.WithCancel(t.Context())
	u := &processUsers{cancel: cancel}
	t.Cleanup(u.stop)
	for i := range regs {
		ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 2, byte(1 + i)})}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ep.Close() })
		pu, err := asap.NewUser(ep, asap.UserConfig{Registrars: append(slices.Clone(regs[i:]), regs[:i]...)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pu.Close() })
		rec := &userRecord{}
		u.recs = append(u.recs, rec)
		u.done.Go(func() { rec.resolve(ctx, pu) })
	}
	return u
}

// resolve resolves pool "proc" every 100 ms until ctx is done.
func (r *userRecord) resolve(ctx context.Context, pu *asap.User) {
	for ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		els, err := pu.ResolveFresh(rctx, wire.PoolHandle("proc"))
		cancel()
		r.mu.Lock()
		switch {
		case ctx.Err() != nil:
		case err != nil:
			r.failed = append(r.failed, err)
		case len(els) == 0:
			r.failed = append(r.failed, errors.New("no element"))
		default:
			r.answered = append(r.answered, time.Now())
		}
		r.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (u *processUsers) stop() {
	u.cancel()
	u.done.Wait()
}

// check stops the users and fails the test unless every resolution was
// answered, some after the kill and after the restart; it logs each
// user's longest wait between two answers.
func (u *processUsers) check(t *testing.T, killed, restarted time.Time) {
	u.stop()
	for i, r := range u.recs {
		if len(r.failed) > 0 {
			t.Errorf("user %d (registrar %d first): %d resolutions failed, the first: %v", i, i+1, len(r.failed), r.failed[0])
		}
		if n := len(r.answered); n == 0 || !r.answered[n-1].After(restarted) || !slices.ContainsFunc(r.answered, killed.Before) {
			t.Errorf("user %d: %d answers, none after the kill or after the restart", i, n)
			continue
		}
		var gap time.Duration
		for j := 1; j < len(r.answered); j++ {
			gap = max(gap, r.answered[j].Sub(r.answered[j-1]))
		}
		t.Logf("user %d (registrar %d first): %d answers, none failed, longest wait between two %v", i, i+1, len(r.answered), gap)
	}
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

// procElement registers element i+1 of pool "proc" from 127.0.1+i/200.10+i%200,
// port 7000 (SCTP and UDP, where a new home reaches it), with the
// registrar, and answers every Endpoint Keep-Alive on every
// association until the test ends.
func procElement(t *testing.T, i int, registrar stack.Remote) {
	t.Helper()
	addr := netip.AddrFrom4([4]byte{127, 0, byte(1 + i/200), byte(10 + i%200)})
	ep, err := stack.Listen(stack.Config{LocalAddrs: []netip.Addr{addr}, Port: 7000, UDPPort: 7000, NoDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	a, err := ep.Dial(ctx, registrar)
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
