package registrar

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// peerNet is a simulated network of registrars that peer over ENRP, with
// pool elements that register at them; it runs inside a synctest bubble.
type peerNet struct {
	t     *testing.T
	n     *simnet.Network
	regs  map[wire.ServerID]*Registrar
	addrs map[wire.ServerID]netip.Addr
	elems []*fakeElement
	// configure, if set, adjusts each registrar's configuration.
	configure func(*Config)
}

func newPeerNet(t *testing.T) *peerNet {
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(shortLinks)
	return &peerNet{t: t, n: n, regs: map[wire.ServerID]*Registrar{}, addrs: map[wire.ServerID]netip.Addr{}}
}

// registrarAddr is the address of registrar id.
func registrarAddr(id wire.ServerID) netip.Addr {
	return netip.AddrFrom4([4]byte{192, 0, 2, 100 + byte(id)})
}

// start starts registrar id, peering with peers.
func (pn *peerNet) start(id wire.ServerID, peers ...wire.ServerID) *Registrar {
	pn.t.Helper()
	addr := registrarAddr(id)
	h := pn.n.AddHost(fmt.Sprintf("registrar-%d", id), addr)
	cfg := Config{ServerID: id, MaxResolutionItems: 4096}
	cfg.Endpoint.LocalAddrs = h.Addrs()
	cfg.Endpoint.PacketConn = simstack.PacketConn(h, stack.DefaultUDPPort)
	cfg.ENRP.Port = DefaultENRPPort
	cfg.ENRP.PacketConn = simstack.PacketConn(h, DefaultENRPPort)
	for _, p := range peers {
		cfg.ENRP.Peers = append(cfg.ENRP.Peers, stack.Remote{Addrs: []netip.Addr{registrarAddr(p)}, Port: DefaultENRPPort})
	}
	if pn.configure != nil {
		pn.configure(&cfg)
	}
	r, err := Listen(cfg)
	if err != nil {
		pn.t.Fatal(err)
	}
	pn.t.Cleanup(func() { r.Close() })
	pn.regs[id], pn.addrs[id] = r, addr
	return r
}

// fakeElement is a pool element on its own host: it registers at one
// registrar and answers Endpoint Keep-Alives on every association, the
// one it registered over and those new home registrars open to it.
type fakeElement struct {
	handle string
	pe     wire.PoolElement
	ep     *stack.Endpoint
	mu     sync.Mutex
	homes  []wire.ServerID // senders of Keep-Alives with the Home flag
}

const elementPort = 7000

// element starts element number i of pool handle, registered at home.
func (pn *peerNet) element(i int, handle string, home wire.ServerID) *fakeElement {
	pn.t.Helper()
	addr := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
	h := pn.n.AddHost(fmt.Sprintf("pe-%d", i), addr)
	ep, err := stack.Listen(stack.Config{LocalAddrs: []netip.Addr{addr}, Port: elementPort, NoDelay: true,
		PacketConn: simstack.PacketConn(h, elementPort)})
	if err != nil {
		pn.t.Fatal(err)
	}
	pn.t.Cleanup(func() { ep.Close() })
	fe := &fakeElement{handle: handle, ep: ep, pe: wire.PoolElement{
		ID: wire.PEID(i + 1), RegLife: 3_600_000, Policy: roundRobin,
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: elementPort, Use: wire.DataPlusControl, Addrs: []netip.Addr{addr}},
	}}
	c := dialRegistrar(pn.t, ep, pn.regs[home])
	c.mustRegister(handle, fe.pe)
	go fe.answer(c.a)
	go fe.accept()
	pn.elems = append(pn.elems, fe)
	return fe
}

// accept answers the associations registrars open.
func (fe *fakeElement) accept() {
	for {
		a, err := fe.ep.Accept(context.Background())
		if err != nil {
			return
		}
		go fe.answer(a)
	}
}

// answer acknowledges the Keep-Alives on a until it ends.
func (fe *fakeElement) answer(a *stack.Association) {
	buf := make([]byte, maxMessage+1)
	for {
		n, info, err := a.RecvMsg(context.Background(), buf)
		if err != nil {
			return
		}
		m, err := wire.ParseASAP(buf[:n])
		if info.PPID != wire.PPIDASAP || err != nil || m.Type() != wire.ASAPEndpointKeepAlive {
			continue
		}
		var ka wire.EndpointKeepAlive
		if m.Decode(&ka) != nil {
			continue
		}
		if ka.Home {
			fe.mu.Lock()
			fe.homes = append(fe.homes, ka.ServerID)
			fe.mu.Unlock()
		}
		ack := wire.AppendASAP(nil, &wire.EndpointKeepAliveAck{Handle: ka.Handle, PEID: ka.PEID})
		if a.SendMsg(context.Background(), ack, stack.SendInfo{PPID: wire.PPIDASAP}) != nil {
			return
		}
	}
}

func (fe *fakeElement) homeKeepAlives() []wire.ServerID {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return slices.Clone(fe.homes)
}

// ownerView returns a registrar's table as element -> owner.
func ownerView(r *Registrar) map[string]wire.ServerID {
	out := map[string]wire.ServerID{}
	for _, p := range r.Table().Pools {
		for _, e := range p.Elements {
			out[fmt.Sprintf("%s/%d", p.Handle, e.ID)] = e.HomeServer
		}
	}
	return out
}

// agree reports whether the registrars have the same table of want
// elements, none owned by a registrar outside owners.
func agree(want int, owners []wire.ServerID, regs ...*Registrar) bool {
	var ref map[string]wire.ServerID
	for _, r := range regs {
		v := ownerView(r)
		if len(v) != want || ref != nil && !maps.Equal(ref, v) {
			return false
		}
		for _, o := range v {
			if !slices.Contains(owners, o) {
				return false
			}
		}
		ref = v
	}
	return true
}

// waitAgree waits (in virtual time, in steps of 100 ms, at most limit)
// until agree holds, and returns how long that took.
func waitAgree(t *testing.T, limit time.Duration, want int, owners []wire.ServerID, regs ...*Registrar) time.Duration {
	t.Helper()
	start := time.Now()
	for !agree(want, owners, regs...) {
		if time.Since(start) > limit {
			for _, r := range regs {
				t.Logf("registrar $%08x: %d elements, owners %v", uint32(r.ServerID()), len(ownerView(r)), countOwners(ownerView(r)))
			}
			t.Fatalf("tables did not agree within %v", limit)
		}
		time.Sleep(100 * time.Millisecond) // virtual
	}
	return time.Since(start)
}

func countOwners(v map[string]wire.ServerID) map[wire.ServerID]int {
	out := map[wire.ServerID]int{}
	for _, o := range v {
		out[o]++
	}
	return out
}

// resolved returns the identifiers a registrar gives for pool handle.
func resolved(t *testing.T, pu *client, handle string) []wire.PEID {
	res := pu.resolve(handle, wire.AllItems)
	ids := make([]wire.PEID, len(res.Elements))
	for i, e := range res.Elements {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	return ids
}
