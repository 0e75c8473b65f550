package stack

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestNamespaceDeadSource runs a multi-homed transfer between two
// namespaces joined by two veth pairs. Mid-transfer, nftables makes one
// address of one side silently drop everything in both directions; the
// address stays configured, as when an uplink dies. The transfer must
// finish with equal SHA-256 and a clean shutdown, and the side with the
// dead address must end up sending from its good one.
func TestNamespaceDeadSource(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "nft")
	for _, side := range []string{"server", "client"} {
		t.Run(side, func(t *testing.T) {
			nsCli, nsSrv := netns.New(t, "cli"), netns.New(t, "srv")
			netns.Veth(t, nsCli, "eth1", netip.PrefixFrom(cli1, 24), nsSrv, "eth1", netip.PrefixFrom(srv1, 24))
			netns.Veth(t, nsCli, "eth2", netip.PrefixFrom(cli2, 24), nsSrv, "eth2", netip.PrefixFrom(srv2, 24))
			var srv, cli *Endpoint
			open := func(ns *netns.NS, cfg Config, ep **Endpoint) {
				if err := ns.Do(func() (err error) { *ep, err = NewEndpoint(cfg); return err }); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { (*ep).Close() })
			}
			// Heartbeats every half second: a side that only answers (the
			// server here sends SACKs, from where the DATA arrived) finds
			// its dead source by heartbeat, within the transfer.
			hb := 500 * time.Millisecond
			open(nsSrv, Config{LocalAddrs: []netip.Addr{srv1, srv2}, Port: 5000, UDPPort: DefaultUDPPort, HeartbeatInterval: hb}, &srv)
			open(nsCli, Config{LocalAddrs: []netip.Addr{cli1, cli2}, UDPPort: DefaultUDPPort, HeartbeatInterval: hb}, &cli)
			srv.Listen()
			ca, sa := connect(t, cli, srv, srv1)
			events := eventTimes(ca)
			waitFor(t, 10*time.Second, "the second path to be confirmed", func() bool {
				return len(events(EventPathConfirmed)) > 0
			})

			// The dead address drops in the receivers' prerouting hooks, on
			// both sides: the sender's own send succeeds, as when a
			// network beyond the first hop dies.
			dead, owner, peer := srv1, nsSrv, nsCli
			if side == "client" {
				dead, owner, peer = cli1, nsCli, nsSrv
			}
			go func() {
				time.Sleep(time.Second)
				owner.Filter("prerouting", "ip daddr "+dead.String()+" drop")
				peer.Filter("prerouting", "ip saddr "+dead.String()+" drop")
			}()
			transfer(t, ca, sa, load{bytes: 5000 * 1000, size: 1000, streams: 1, gap: time.Millisecond})

			a := sa
			if side == "client" {
				a = ca
			}
			for _, p := range a.Paths() {
				t.Logf("%s path %v from %v: %v", side, p.Remote, p.Local, p.State)
				if p.Local == dead {
					t.Errorf("the %s still sends to %v from its dead address %v", side, p.Remote, dead)
				}
			}
			if st := a.Stats(); st.SourceChanges == 0 {
				t.Errorf("the %s never changed a source", side)
			}
		})
	}
}

// TestNamespaceDefaultAddresses opens a client with no local address in a
// namespace with two veth links and connects it to a server on the second
// link's address: the client uses every address of its namespace, tells
// the server about its veth addresses but not its loopback one, and each
// path leaves from the address the namespace's routes choose for it.
func TestNamespaceDefaultAddresses(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	nsCli, nsSrv := netns.New(t, "cli"), netns.New(t, "srv")
	netns.Veth(t, nsCli, "eth1", netip.PrefixFrom(cli1, 24), nsSrv, "eth1", netip.PrefixFrom(srv1, 24))
	netns.Veth(t, nsCli, "eth2", netip.PrefixFrom(cli2, 24), nsSrv, "eth2", netip.PrefixFrom(srv2, 24))
	var srv, cli *Endpoint
	if err := nsSrv.Do(func() (err error) { srv, err = Listen(Config{Port: 5000, UDPPort: DefaultUDPPort}); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := nsCli.Do(func() (err error) { cli, err = NewEndpoint(Config{}); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	for _, want := range []netip.Addr{cli1, cli2, netip.MustParseAddr("127.0.0.1")} {
		if !slices.Contains(cli.LocalAddrs(), want) {
			t.Errorf("client endpoint on %v, not on %v", cli.LocalAddrs(), want)
		}
	}
	// The OS's choice, asked twice through one probe socket: the second
	// answer must not be the first one's.
	if s1, s2 := cli.sourceFor(srv1), cli.sourceFor(srv2); s1 != cli1 || s2 != cli2 {
		t.Errorf("sources toward %v and %v: %v and %v, want %v and %v", srv1, srv2, s1, s2, cli1, cli2)
	}

	ca, sa := connect(t, cli, srv, srv2)
	transfer(t, ca, sa, load{bytes: 200 * 1000, size: 1000})
	for _, p := range sa.Paths() {
		if p.Remote.Addr().IsLoopback() {
			t.Errorf("the server got a path to the client's loopback address %v", p.Remote)
		}
	}
	for _, p := range ca.Paths() {
		if want := map[netip.Addr]netip.Addr{srv1: cli1, srv2: cli2}[p.Remote.Addr()]; p.Local != want {
			t.Errorf("client path to %v from %v, want %v", p.Remote, p.Local, want)
		}
	}
}
