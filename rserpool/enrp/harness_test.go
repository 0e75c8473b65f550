package enrp

import (
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// The tests run registrars' machines over a simulated message bus in
// virtual time: every message goes through the wire codec, each node has a
// real handlespace, and actions are carried out as the registrar does.

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type node struct {
	id     wire.ServerID
	m      *Machine
	hs     *handlespace.Handlespace
	down   bool
	claims []Key
	// rejected counts elements from peers the handlespace refused.
	rejected int
	dead     []wire.ServerID
	sentMsg  map[wire.ENRPType]int
}

type envelope struct {
	from, to wire.ServerID
	b        []byte
	epoch    int // of the association between the two when sent
}

type cluster struct {
	t     *testing.T
	now   time.Time
	nodes map[wire.ServerID]*node
	queue []envelope
	cut   map[[2]wire.ServerID]bool
	// epochs numbers the associations between each pair: messages of
	// one that failed are lost with it, never delivered on the next.
	epochs map[[2]wire.ServerID]int
	// gone holds the elements deregistered: their pool elements no
	// longer answer.
	gone map[Key]bool
	// observe, if set, sees every message delivered.
	observe func(from, to wire.ServerID, v wire.ENRPValue)
}

func newCluster(t *testing.T, cfg Config, ids ...wire.ServerID) *cluster {
	c := &cluster{t: t, now: epoch, nodes: map[wire.ServerID]*node{}, cut: map[[2]wire.ServerID]bool{}, gone: map[Key]bool{},
		epochs: map[[2]wire.ServerID]int{}}
	for _, id := range ids {
		c.add(id, cfg)
	}
	return c
}

// add starts a node; it knows no peer yet.
func (c *cluster) add(id wire.ServerID, cfg Config) *node {
	hs := handlespace.New(handlespace.Options{Seed: 1})
	cfg.ID = id
	n := &node{id: id, hs: hs, sentMsg: map[wire.ENRPType]int{}}
	n.m = New(cfg, HandlespaceTable{HS: hs, MaxEntries: 50, Element: testElement}, c.now)
	c.nodes[id] = n
	return n
}

// testElement is the registrar's conversion without the ASAP transport.
func testElement(e *handlespace.PoolElement) wire.PoolElement {
	pe := wire.PoolElement{ID: wire.PEID(e.ID()), HomeServer: wire.ServerID(e.Home()), RegLife: uint32(e.Lifetime() / time.Millisecond), Policy: e.Policy()}
	p, _ := wire.ParseParam(e.Transport())
	_ = pe.UserTransport.Decode(p)
	return pe
}

// connect opens the association between a and b: each says Hello, and
// each tells its machine that the link is up, as the registrar does when
// the first message arrives on a new association.
func (c *cluster) connect(a, b wire.ServerID) {
	if c.nodes[a].down || c.nodes[b].down {
		return // no association with a dead registrar
	}
	c.send(a, b, c.nodes[a].m.Hello())
	c.send(b, a, c.nodes[b].m.Hello())
	c.do(c.nodes[a], c.nodes[a].m.LinkUp(c.now, b))
	c.do(c.nodes[b], c.nodes[b].m.LinkUp(c.now, a))
}

// mesh connects every pair of nodes.
func (c *cluster) mesh() {
	ids := slices.Sorted(maps.Keys(c.nodes))
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			c.connect(a, b)
		}
	}
}

func (c *cluster) send(from, to wire.ServerID, v wire.ENRPValue) {
	c.nodes[from].sentMsg[v.ENRPType()]++
	if c.cut[pair(from, to)] {
		return
	}
	c.queue = append(c.queue, envelope{from, to, wire.AppendENRP(nil, v), c.epochs[pair(from, to)]})
}

func pair(a, b wire.ServerID) [2]wire.ServerID {
	if a > b {
		a, b = b, a
	}
	return [2]wire.ServerID{a, b}
}

// do carries out n's actions.
func (c *cluster) do(n *node, acts []Action) {
	for i := range acts {
		a := &acts[i]
		switch a.Kind {
		case Send:
			c.send(n.id, a.To, a.Msg)
		case Multicast:
			for _, id := range slices.Sorted(maps.Keys(c.nodes)) {
				if id != n.id {
					c.send(n.id, id, a.Msg)
				}
			}
		case AddElement:
			if _, _, err := n.hs.Register(Registration(a), c.now); err != nil {
				n.rejected++ // as the registrar counts it
			}
		case DelElement:
			if e := n.hs.Lookup(a.Handle, uint32(a.Element.ID)); e != nil && e.Owner() == uint32(a.Owner) {
				n.hs.Remove(e)
			}
		case Purge:
			for _, e := range Stale(n.hs, a.Owner, a.Keep) {
				n.hs.Remove(e)
			}
		case TakeOver:
			c.takeOver(n, a)
		case ClaimElement:
			n.claims = append(n.claims, KeyOf(a.Handle, a.Element.ID))
		case PeerDead:
			n.dead = append(n.dead, a.Target)
		}
	}
}

// takeOver moves the target's elements. The new home's Keep-Alives with
// the Home flag go unanswered by elements that are gone, which it then
// removes: the keep-alive timeout, collapsed to no time here.
func (c *cluster) takeOver(n *node, a *Action) {
	for _, e := range n.hs.OwnedBy(uint32(a.Target)) {
		_, _, err := n.hs.Register(Moved(e, a.Owner), c.now)
		must(c.t, err)
		if a.Owner == n.id && c.gone[Key{e.Handle(), wire.PEID(e.ID())}] {
			pe := testElement(e)
			n.hs.Remove(e)
			c.queueLocal(n, wire.DelPE, e.Handle(), pe)
		}
	}
}

// reapGone has every home registrar remove its elements that are gone,
// as its keep-alives would find (collapsed to no time here).
func (c *cluster) reapGone() {
	if len(c.gone) == 0 {
		return
	}
	for _, id := range slices.Sorted(maps.Keys(c.nodes)) {
		n := c.nodes[id]
		if n.down {
			continue
		}
		for _, e := range n.hs.OwnedBy(uint32(id)) {
			if c.gone[Key{e.Handle(), wire.PEID(e.ID())}] {
				pe := testElement(e)
				n.hs.Remove(e)
				c.queueLocal(n, wire.DelPE, e.Handle(), pe)
			}
		}
	}
}

// queueLocal reports a local change after the current actions.
func (c *cluster) queueLocal(n *node, action wire.UpdateAction, handle string, pe wire.PoolElement) {
	acts := slices.Clone(n.m.Local(c.now, action, wire.PoolHandle(handle), pe))
	c.do(n, acts)
}

// deliver hands every queued message to its receiver, and what they send
// in turn.
func (c *cluster) deliver() {
	for i := 0; len(c.queue) > 0; i++ {
		if i > 1_000_000 {
			c.t.Fatal("message storm")
		}
		env := c.queue[0]
		c.queue = c.queue[1:]
		n := c.nodes[env.to]
		if n == nil || n.down || c.cut[pair(env.from, env.to)] || env.epoch != c.epochs[pair(env.from, env.to)] {
			continue
		}
		v, err := Decode(env.b)
		must(c.t, err)
		if c.observe != nil {
			c.observe(env.from, env.to, v)
		}
		c.do(n, n.m.Receive(c.now, v))
	}
}

// run advances virtual time by d, firing timers and delivering messages.
func (c *cluster) run(d time.Duration) {
	end := c.now.Add(d)
	for i := 0; ; i++ {
		if i > 100_000 {
			c.t.Fatal("timer storm")
		}
		c.deliver()
		next := end
		for _, n := range c.nodes {
			if !n.down && n.m.Next().Before(next) {
				next = n.m.Next()
			}
		}
		if next.After(end) || next.Equal(end) && i > 0 && !c.due(end) {
			c.now = end
			return
		}
		c.now = next
		for _, id := range slices.Sorted(maps.Keys(c.nodes)) {
			if n := c.nodes[id]; !n.down && !c.now.Before(n.m.Next()) {
				c.do(n, n.m.Tick(c.now))
			}
		}
		c.reapGone()
	}
}

func (c *cluster) due(at time.Time) bool {
	for _, n := range c.nodes {
		if !n.down && !at.Before(n.m.Next()) {
			return true
		}
	}
	return false
}

// register registers element id of pool handle at n, as its home.
func (c *cluster) register(n *node, handle string, id wire.PEID) {
	pe := wire.PoolElement{
		ID: id, HomeServer: n.id, RegLife: 3_600_000,
		UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 5000, Use: wire.DataPlusControl,
			Addrs: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, byte(id >> 8), byte(id)})}},
		Policy: wire.Policy{Type: wire.PolicyRoundRobin},
	}
	_, _, err := n.hs.Register(handlespace.Registration{Handle: []byte(handle), ID: uint32(id), Home: uint32(n.id), Owner: uint32(n.id),
		Lifetime: time.Hour, Transport: wire.AppendParam(nil, &pe.UserTransport), Policy: pe.Policy}, c.now)
	must(c.t, err)
	c.do(n, n.m.Local(c.now, wire.AddPE, wire.PoolHandle(handle), pe))
}

func (c *cluster) deregister(n *node, handle string, id wire.PEID) {
	c.gone[Key{handle, id}] = true
	e := n.hs.Deregister([]byte(handle), uint32(id))
	if e == nil {
		c.t.Fatalf("%s/%d not registered", handle, id)
	}
	c.do(n, n.m.Local(c.now, wire.DelPE, wire.PoolHandle(handle), testElement(e)))
}

// spread registers count elements at each of the nodes, in pools of ten.
func (c *cluster) spread(count int, ids ...wire.ServerID) {
	for _, id := range ids {
		for i := range count {
			peid := wire.PEID(uint32(id)<<16 | uint32(i+1))
			c.register(c.nodes[id], fmt.Sprintf("pool-%d", i%10), peid)
		}
	}
}

// view returns n's table: element -> owner.
func view(n *node) map[Key]wire.ServerID {
	out := map[Key]wire.ServerID{}
	for e := range n.hs.Elements(handlespace.Cursor{}) {
		out[Key{e.Handle(), wire.PEID(e.ID())}] = wire.ServerID(e.Owner())
	}
	return out
}

// requireConverged checks that the live nodes have the same table, with
// want elements, and agree on every owner's checksum.
func (c *cluster) requireConverged(want int) map[Key]wire.ServerID {
	c.t.Helper()
	var ref map[Key]wire.ServerID
	var refID wire.ServerID
	for _, id := range slices.Sorted(maps.Keys(c.nodes)) {
		n := c.nodes[id]
		if n.down {
			continue
		}
		v := view(n)
		if len(v) != want {
			c.t.Fatalf("node %d has %d elements, want %d (by owner %v)", id, len(v), want, owners(v))
		}
		if ref == nil {
			ref, refID = v, id
			continue
		}
		if !reflect.DeepEqual(ref, v) {
			c.t.Fatalf("tables of %d and %d differ: owners %v and %v", refID, id, owners(ref), owners(v))
		}
		for owner := range c.nodes {
			if a, b := c.nodes[refID].hs.Checksum(uint32(owner)), n.hs.Checksum(uint32(owner)); a != b {
				c.t.Fatalf("checksums of owner %d differ: %#04x at %d, %#04x at %d", owner, a, refID, b, id)
			}
		}
	}
	return ref
}

// owners counts the elements of each owner in a view.
func owners(v map[Key]wire.ServerID) map[wire.ServerID]int {
	out := map[wire.ServerID]int{}
	for _, o := range v {
		out[o]++
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
