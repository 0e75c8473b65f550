//go:build linux

package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestPerfAutoASCONFHandover runs perf client and server as processes in
// two namespaces joined by two networks. The client starts with an address
// on the first network only; while it sends, its interface on the second
// network gets an address (ip addr add) and then the first address goes
// (ip addr del). With --auto-asconf the client tells the server both
// changes by ASCONF, and the server must receive every byte it sent: the
// SHA-256 of each stream matches, and the association ends cleanly over
// the second network.
func TestPerfAutoASCONFHandover(t *testing.T) {
	nsCli, server, client := perfMoveSetup(t, "4s")
	time.Sleep(time.Second)
	nsCli.IP("addr", "add", cli2.String(), "dev", "eth2")
	time.Sleep(1500 * time.Millisecond)
	nsCli.IP("addr", "del", cli1.String(), "dev", "eth1")
	checkMoved(t, client.report(t), server.report(t))
}

// TestPerfBreakBeforeMake is the same move, break before make, as the
// report that started issue 11 describes it: the client's only address
// goes while it sends, and a second later the address on its other
// network appears. The client must not ask the server to delete its last
// address; it tells the server both changes in one ASCONF from the new
// address, and the transfer completes over the second network.
func TestPerfBreakBeforeMake(t *testing.T) {
	nsCli, server, client := perfMoveSetup(t, "5s")
	time.Sleep(time.Second)
	nsCli.IP("addr", "del", cli1.String(), "dev", "eth1")
	time.Sleep(time.Second)
	nsCli.IP("addr", "add", cli2.String(), "dev", "eth2")
	checkMoved(t, client.report(t), server.report(t))
}

// The two networks of the perf handover tests.
var (
	cli1 = netip.MustParsePrefix("192.0.2.2/24")
	srv1 = netip.MustParsePrefix("192.0.2.1/24")
	cli2 = netip.MustParsePrefix("198.51.100.2/24")
	srv2 = netip.MustParsePrefix("198.51.100.1/24")
)

// perfMoveSetup joins a client and a server namespace by two networks,
// the client without its address on the second one yet, and starts a perf
// server (on both networks) and a perf client with --auto-asconf that
// sends for the given time; it returns once the client's association is
// up, which the tests' moves are timed from (a loaded machine can take a
// while to start the processes).
func perfMoveSetup(t *testing.T, duration string) (nsCli *netns.NS, server, client *perfProcess) {
	t.Helper()
	testenv.Root(t)
	testenv.Tool(t, "ip")
	bin := buildBinary(t)
	nsCli, nsSrv := netns.New(t, "pcli"), netns.New(t, "psrv")
	netns.Veth(t, nsCli, "eth1", cli1, nsSrv, "eth1", srv1)
	netns.Veth(t, nsCli, "eth2", cli2, nsSrv, "eth2", srv2)
	nsCli.IP("addr", "del", cli2.String(), "dev", "eth2") // the address the client moves to comes later

	server = startPerf(t, "server", "ip", "netns", "exec", nsSrv.Name, bin, "perf", "server", "--once", "--json",
		"--listen", fmt.Sprintf("%v,%v:5001", srv1.Addr(), srv2.Addr()))
	server.listening(t)
	t.Cleanup(func() {
		if t.Failed() { // the server's side of what went wrong
			t.Logf("server log:\n%s", server.stderr.String())
		}
	})
	client = startPerf(t, "client", "ip", "netns", "exec", nsCli.Name, bin, "perf", "client", "--json",
		"--auto-asconf", "--bind", cli1.Addr().String(), "--time", duration,
		"--connect", fmt.Sprintf("%v,%v:5001", srv1.Addr(), srv2.Addr()))
	select {
	case first := <-client.stderr.first: // --json: the association's events
		if !strings.HasSuffix(first, " comm-up") {
			t.Fatalf("the client's first event is %q, want comm-up", first)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the client is not connected after a minute: %s", client.stderr.String())
	}
	return nsCli, server, client
}

// checkMoved checks the reports of a perf transfer during which the
// client moved from cli1 to cli2.
func checkMoved(t *testing.T, sent, received perf.Report) {
	t.Helper()
	t.Logf("client sent %d bytes in %.1f s; %d retransmissions", sent.Sent.Bytes, sent.Seconds, sent.Retransmissions)
	if err := perf.Compare(sent.Sent, received.Received); err != nil {
		t.Error(err)
	}
	if sent.Error != "" || received.Error != "" {
		t.Errorf("the association ended with errors: client %q, server %q", sent.Error, received.Error)
	}
	// The server learned the client's new address and sends there (its
	// SACKs), and forgot the old one; the client sends to the server's
	// address on the new network.
	moved, forgot := false, true
	for _, p := range received.Paths {
		t.Logf("server path %s from %s: %s, primary %v", p.Remote, p.Local, p.State, p.Primary)
		moved = moved || (strings.HasPrefix(p.Remote, cli2.Addr().String()+":") && p.Primary)
		forgot = forgot && !strings.HasPrefix(p.Remote, cli1.Addr().String()+":")
	}
	if !moved || !forgot {
		t.Errorf("the server's paths should lead to the client's new address %v only", cli2.Addr())
	}
	for _, p := range sent.Paths {
		if p.Primary && !strings.HasPrefix(p.Remote, srv2.Addr().String()+":") {
			t.Errorf("the client ends sending to %s, want the server's address on the new network, %v", p.Remote, srv2.Addr())
		}
	}
}
