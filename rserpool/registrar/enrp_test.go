package registrar

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simstack"
	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Three registrars peer over ENRP; pool elements register at each. Every
// registrar answers a resolution with the same elements. One registrar
// dies (its host goes silent, as after SIGKILL): within the peer timeouts
// plus the takeover, the survivors agree that every one of its elements
// has a new home among them, none lost or duplicated, and the new home
// has sent each a Keep-Alive with the Home flag, which it answered. A new
// registrar that joins gets the whole table.
func TestENRPTakeoverAndRejoin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { takeoverAndRejoin(t, 12) })
}

// The acceptance figure: 1,000 pool elements over three
// registrars.
func TestENRPTakeoverThousandElements(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 simulated elements; run without -short")
	}
	synctest.Test(t, func(t *testing.T) { takeoverAndRejoin(t, 334) })
}

func takeoverAndRejoin(t *testing.T, perRegistrar int) {
	{
		pn := newPeerNet(t)
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		r3 := pn.start(3, 1, 2)
		for i := range 3 * perRegistrar {
			pn.element(i, fmt.Sprintf("pool-%d", i%4), wire.ServerID(1+i/perRegistrar))
		}
		all := 3 * perRegistrar
		took := waitAgree(t, 10*time.Second, all, []wire.ServerID{1, 2, 3}, r1, r2, r3)
		t.Logf("three registrars agree %v after the last registration", took)

		peers, err := FetchPeers(t.Context(), pn.element0(9), remoteOf(r1))
		if err != nil || len(peers) != 2 || peers[0].ID != 2 || peers[1].ID != 3 || peers[0].Transport.Port != DefaultENRPPort {
			t.Errorf("peer table of registrar 1: %+v, %v; want registrars 2 and 3 with their ENRP port", peers, err)
		}

		pus := []*client{}
		for i, r := range []*Registrar{r1, r2, r3} {
			pus = append(pus, dialRegistrar(t, pn.element0(i), r))
		}
		for p := range 4 {
			handle := fmt.Sprintf("pool-%d", p)
			want := resolved(t, pus[0], handle)
			for _, pu := range pus[1:] {
				if got := resolved(t, pu, handle); !slices.Equal(got, want) || len(got) != pn.poolSize(handle) {
					t.Errorf("%s resolves to %d elements at one registrar, %d at another, want %d, the same", handle, len(got), len(want), pn.poolSize(handle))
				}
			}
		}

		// A pool user keeps asking the survivors while the takeover
		// runs.
		stop, asked := make(chan struct{}), make(chan int)
		go func() {
			n := 0
			defer func() { asked <- n }()
			for {
				select {
				case <-stop:
					return
				case <-time.After(500 * time.Millisecond):
				}
				for _, pu := range pus[:2] {
					if got := resolved(t, pu, "pool-0"); len(got) == 0 {
						t.Errorf("no answer for pool-0 at %v", time.Now())
					}
					n++
				}
			}
		}()
		dropHost(pn.n, registrarAddr(3)) // SIGKILL
		took = waitAgree(t, time.Minute, all, []wire.ServerID{1, 2}, r1, r2)
		limit := enrpsm.DefaultMaxTimeLastHeard + enrpsm.DefaultMaxTimeNoResponse + enrpsm.DefaultTakeoverExpiry
		t.Logf("survivors took over %d elements %v after the kill", perRegistrar, took)
		if took > limit {
			t.Errorf("takeover took %v, more than the peer timeouts and the takeover expiry (%v)", took, limit)
		}
		s1, s2 := r1.ENRPStats(), r2.ENRPStats()
		if s1.TakeoversWon+s2.TakeoversWon != 1 || s1.TakeoversWon != 1 {
			t.Errorf("takeovers won: %d and %d, want one, by the lower ID", s1.TakeoversWon, s2.TakeoversWon)
		}
		close(stop)
		t.Logf("%d resolutions answered during the takeover", <-asked)
		// The new home's keep-alives reached the elements, and their
		// answers keep them registered past the keep-alive timeout.
		time.Sleep(DefaultKeepAliveTimeout + DefaultKeepAliveInterval + time.Second)
		for _, fe := range pn.elems[2*perRegistrar:] {
			if h := fe.homeKeepAlives(); len(h) == 0 || h[0] != 1 {
				t.Errorf("element %d: Home keep-alives from %v, want from registrar 1", fe.pe.ID, h)
			}
		}
		if !agree(all, []wire.ServerID{1, 2}, r1, r2) {
			t.Errorf("elements lost after the takeover: %v and %v", countOwners(ownerView(r1)), countOwners(ownerView(r2)))
		}
		for p := range 4 {
			handle := fmt.Sprintf("pool-%d", p)
			if a, b := resolved(t, pus[0], handle), resolved(t, pus[1], handle); !slices.Equal(a, b) || len(a) != pn.poolSize(handle) {
				t.Errorf("after the takeover %s resolves to %d and %d elements, want %d, the same", handle, len(a), len(b), pn.poolSize(handle))
			}
		}
		r4 := pn.start(4, 1, 2)
		took = waitAgree(t, time.Minute, all, []wire.ServerID{1, 2}, r1, r2, r4)
		t.Logf("a new registrar had the full table %v after it started", took)
	}
}

// element0 opens a pool user endpoint on a host of its own.
func (pn *peerNet) element0(i int) *stack.Endpoint {
	return pn.element0Host(fmt.Sprintf("pu-%d", i), registrarAddr(50+wire.ServerID(i)))
}

// element0Host opens an endpoint on a new host with address addr.
func (pn *peerNet) element0Host(name string, addr netip.Addr) *stack.Endpoint {
	h := pn.n.AddHost(name, addr)
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: h.Addrs(), NoDelay: true,
		PacketConn: simstack.PacketConn(h, stack.DefaultUDPPort)})
	if err != nil {
		pn.t.Fatal(err)
	}
	pn.t.Cleanup(func() { ep.Close() })
	return ep
}

// poolSize returns the number of elements started in pool handle.
func (pn *peerNet) poolSize(handle string) int {
	n := 0
	for _, fe := range pn.elems {
		if fe.handle == handle {
			n++
		}
	}
	return n
}

// A partition cuts one registrar off from the two others for longer than
// the peer timeouts: each side takes the other's elements over (their
// elements answer the new homes' keep-alives on both sides). When the
// network heals, the three tables converge: the same elements, each with
// the same owner everywhere.
func TestENRPPartitionHeals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		r3 := pn.start(3, 1, 2)
		const per = 10
		for i := range 3 * per {
			pn.element(i, fmt.Sprintf("pool-%d", i%3), wire.ServerID(1+i/per))
		}
		all := 3 * per
		waitAgree(t, 10*time.Second, all, []wire.ServerID{1, 2, 3}, r1, r2, r3)

		for _, id := range []wire.ServerID{1, 2} {
			pn.n.SetDown(registrarAddr(id), registrarAddr(3), true)
		}
		time.Sleep(time.Minute) // virtual: both sides take over
		if s := r3.ENRPStats(); s.TakeoversWon == 0 {
			t.Errorf("the isolated registrar took nothing over: %+v", s.Stats)
		}
		for _, id := range []wire.ServerID{1, 2} {
			pn.n.SetDown(registrarAddr(id), registrarAddr(3), false)
		}
		took := waitAgree(t, time.Minute, all, []wire.ServerID{1, 2, 3}, r1, r2, r3)
		t.Logf("tables converged %v after the partition healed", took)
		time.Sleep(10 * time.Second) // and stay so
		if !agree(all, []wire.ServerID{1, 2, 3}, r1, r2, r3) {
			t.Errorf("tables diverged again: %v, %v, %v", countOwners(ownerView(r1)), countOwners(ownerView(r2)), countOwners(ownerView(r3)))
		}
	})
}

// A peer association speaks for the server ID it first named, and the
// elements a peer sends must pass the checks a registration passes.
func TestENRPPeerInputChecked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r1 := pn.start(1)
		ep := pn.element0(0)
		a, err := ep.Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{registrarAddr(1)}, Port: DefaultENRPPort, UDPPort: DefaultENRPPort})
		if err != nil {
			t.Fatal(err)
		}
		send := func(v wire.ENRPValue) {
			if err := a.SendMsg(t.Context(), wire.AppendENRP(nil, v), stack.SendInfo{PPID: wire.PPIDENRP}); err != nil {
				t.Fatal(err)
			}
		}
		update := func(sender wire.ServerID, handle string, pe wire.PoolElement) {
			send(&wire.HandleUpdate{ENRPHeader: wire.ENRPHeader{Sender: sender, Receiver: 1}, Action: wire.AddPE, Handle: wire.PoolHandle(handle), Element: pe})
		}
		good := element(5, roundRobin, peAddr)
		send(&wire.Presence{ENRPHeader: wire.ENRPHeader{Sender: 9}, ReplyRequired: true})
		update(9, "ok", good)
		update(9, "no-id", element(0, roundRobin, peAddr))
		update(9, "no-life", wire.PoolElement{ID: 6, UserTransport: good.UserTransport, Policy: roundRobin})
		update(9, strings.Repeat("x", DefaultMaxHandleLen+1), good)
		update(7, "forged", good) // another sender on peer 9's association
		time.Sleep(time.Second)   // virtual: all handled
		v := ownerView(r1)
		if len(v) != 1 || v["ok/5"] != 9 {
			t.Errorf("table %v, want only ok/5 from peer 9", v)
		}
		s := r1.ENRPStats()
		if s.Rejected != 3 || s.Malformed != 1 {
			t.Errorf("rejected %d, malformed %d; want 3 and 1", s.Rejected, s.Malformed)
		}
		if ps := r1.Peers(); len(ps) != 1 || ps[0].ID != 9 {
			t.Errorf("peers %+v, want 9 only", ps)
		}
	})
}

// With the takeover suggestion flag on both sides, a registrar that owns
// more elements than its peer asks the peer, in the Handle Update of a new
// element, to take it over, and the peer sends the element a Keep-Alive
// with the Home flag.
func TestENRPTakeoverSuggestion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		pn.configure = func(c *Config) { c.ENRP.SuggestTakeover, c.ENRP.HonourSuggestions = true, true }
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		for i := range 4 {
			pn.element(i, "busy", 1)
		}
		waitAgree(t, 10*time.Second, 4, []wire.ServerID{1, 2}, r1, r2)
		time.Sleep(time.Second) // virtual: the Home keep-alives arrive
		var claimed []wire.PEID
		for _, fe := range pn.elems {
			if h := fe.homeKeepAlives(); len(h) > 0 && h[0] == 2 {
				claimed = append(claimed, fe.pe.ID)
			}
		}
		// Element 1 finds both registrars even; from the second on,
		// registrar 1 owns two more than registrar 2.
		if !slices.Equal(claimed, []wire.PEID{2, 3, 4}) {
			t.Errorf("elements with a Home keep-alive from registrar 2: %v, want 2, 3 and 4", claimed)
		}
	})
}

// Two registrars that each dial the other end up with one association
// (SCTP resolves the collision of their INITs: both ENRP endpoints use the
// same port) and agree on their tables.
func TestENRPMutualPeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r2 := pn.start(2, 1)
		r1 := pn.start(1, 2)
		time.Sleep(3 * time.Second) // virtual: both dialers have run
		for i := range 6 {
			pn.element(i, "mutual", wire.ServerID(1+i%2))
		}
		waitAgree(t, 10*time.Second, 6, []wire.ServerID{1, 2}, r1, r2)
		time.Sleep(3 * time.Second) // virtual: the loser is gone
		for _, r := range []*Registrar{r1, r2} {
			s := r.ENRPStats()
			if s.Links != 1 || s.Peers != 1 {
				t.Errorf("registrar %d: %d associations, %d peers; want one of each", r.ServerID(), s.Links, s.Peers)
			}
		}
		if !agree(6, []wire.ServerID{1, 2}, r1, r2) {
			t.Errorf("tables differ: %v and %v", ownerView(r1), ownerView(r2))
		}
	})
}
