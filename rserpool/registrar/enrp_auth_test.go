package registrar

import (
	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

var enrpKey = []byte("the registrars' shared ENRP key")

// forge dials registrar 1's ENRP endpoint from a new host at addr, with
// SCTP-AUTH off or with the given key (none if nil), and sends what a peer
// would to inject an element and take over registrar 2's: a Presence, a
// Handle Update, and Init Takeover and Takeover Server for registrar 2.
func (pn *peerNet) forge(name string, addr netip.Addr, disableAuth bool, key []byte) {
	pn.t.Helper()
	h := pn.n.AddHost(name, addr)
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: h.Addrs(), NoDelay: true, DisableAuth: disableAuth,
		PacketConn: simstack.PacketConn(h, stack.DefaultUDPPort)})
	if err != nil {
		pn.t.Fatal(err)
	}
	pn.t.Cleanup(func() { ep.Close() })
	if key != nil {
		ep.SetKey(ENRPKeyID, key)
		if err := ep.ActivateKey(ENRPKeyID); err != nil {
			pn.t.Fatal(err)
		}
	}
	a, err := ep.Dial(pn.t.Context(), stack.Remote{Addrs: []netip.Addr{registrarAddr(1)}, Port: DefaultENRPPort, UDPPort: DefaultENRPPort})
	if err != nil {
		pn.t.Logf("%s: %v", name, err) // aborted at once: a refusal too
		return
	}
	hdr := wire.ENRPHeader{Sender: 9, Receiver: 1}
	for _, v := range []wire.ENRPValue{
		&wire.Presence{ENRPHeader: wire.ENRPHeader{Sender: 9}, ReplyRequired: true},
		&wire.HandleUpdate{ENRPHeader: hdr, Action: wire.AddPE, Handle: wire.PoolHandle("forged"), Element: element(5, roundRobin, peAddr)},
		&wire.InitTakeover{ENRPHeader: hdr, Target: 2},
		&wire.TakeoverServer{ENRPHeader: hdr, Target: 2},
	} {
		ctx, cancel := context.WithTimeout(pn.t.Context(), time.Second)
		a.SendMsg(ctx, wire.AppendENRP(nil, v), stack.SendInfo{PPID: wire.PPIDENRP})
		cancel()
	}
}

// Registrars that share an ENRP key peer as before. Hosts without the
// key, with a wrong one, or without SCTP-AUTH at all, reach the ENRP port
// but cannot inject a Handle Update, join the peer table or take over
// another registrar's elements. Without keys the same messages get through:
// the test can tell.
func TestENRPKeyRefusesForgedPeers(t *testing.T) {
	for _, keyed := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			pn := newPeerNet(t)
			if keyed {
				pn.configure = func(c *Config) { c.ENRP.Key = enrpKey }
			}
			r1 := pn.start(1)
			r2 := pn.start(2, 1)
			pn.element(0, "real", 2)
			waitAgree(t, 10*time.Second, 1, []wire.ServerID{2}, r1, r2)

			pn.forge("nokey", netip.MustParseAddr("198.51.100.10"), false, nil)
			pn.forge("wrongkey", netip.MustParseAddr("198.51.100.20"), false, []byte("a guess"))
			pn.forge("noauth", netip.MustParseAddr("198.51.100.30"), true, nil)
			time.Sleep(2 * time.Second) // virtual: everything sent has arrived

			v, peers := ownerView(r1), r1.Peers()
			if !keyed {
				if v["forged/5"] != 9 || len(peers) != 2 {
					t.Fatalf("without keys the forged messages should get through; table %v, peers %+v", v, peers)
				}
				return
			}
			if len(v) != 1 || v["real/1"] != 2 || len(peers) != 1 || peers[0].ID != 2 {
				t.Errorf("registrar 1 with the key: table %v, peers %+v; want only registrar 2's element and registrar 2", v, peers)
			}
			if !agree(1, []wire.ServerID{2}, r1, r2) {
				t.Errorf("tables differ: %v and %v", ownerView(r1), ownerView(r2))
			}
		})
	}
}
