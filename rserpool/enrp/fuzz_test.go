package enrp

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// FuzzScenario drives three registrars' machines through a scenario the
// fuzzer chooses: registrations and deregistrations at any registrar,
// partitions of one registrar from the others, healing, the death of a
// registrar and its restart with an empty table, and time passing. Pool
// elements renew their registration with their home every 30 s, and those
// of the registrar that died register elsewhere 3 s later, as ASAP
// elements do, racing the takeover. Invariant: once the
// network has healed and the peer timers have run, every live registrar
// has the same table, holding exactly the elements registered and not
// deregistered, with one owner each, and every owner's incremental
// checksum is right.
func FuzzScenario(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2, 2, 7, 9, 0, 1})
	f.Add([]byte{0, 1, 0, 2, 4, 2, 7, 7, 0, 0, 3, 5, 1, 0, 6, 0, 7})
	f.Add([]byte{0, 0, 0, 1, 0, 2, 5, 1, 7, 7, 7, 1, 2, 6})
	f.Add([]byte{0, 0, 4, 0, 7, 7, 7, 0, 1, 0, 2, 1, 3, 6, 7, 7})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 200 {
			ops = ops[:200]
		}
		s := newScenario(t)
		for i := 0; i+1 < len(ops); i += 2 {
			s.step(ops[i]%8, ops[i+1])
		}
		s.finish()
	})
}

type scenario struct {
	*cluster
	ids    []wire.ServerID
	live   map[Key]wire.ServerID // registered, not deregistered: where
	nextID wire.PEID
	// dead is the registrar that died (one at most), failAt when its
	// elements register elsewhere.
	dead                  wire.ServerID
	failAt                time.Time
	failedOver, restarted bool
	nextRenewal           time.Time
}

func newScenario(t *testing.T) *scenario {
	s := &scenario{cluster: newCluster(t, Config{}, 1, 2, 3), ids: []wire.ServerID{1, 2, 3}, live: map[Key]wire.ServerID{}}
	s.nextRenewal = s.now.Add(renewal)
	s.mesh()
	s.run(time.Second)
	return s
}

func (s *scenario) node(b byte) *node { return s.nodes[s.ids[int(b)%len(s.ids)]] }

func (s *scenario) step(op, arg byte) {
	switch op {
	case 0, 1: // register at a live registrar
		n := s.node(arg)
		if n.down {
			return
		}
		s.nextID++
		handle := fmt.Sprintf("pool-%d", arg%3)
		s.register(n, handle, s.nextID)
		s.live[Key{handle, s.nextID}] = n.id
	case 2: // deregister at the element's home, if it is alive
		keys := slices.SortedFunc(maps.Keys(s.live), func(a, b Key) int { return int(a.ID) - int(b.ID) })
		if len(keys) == 0 {
			return
		}
		k := keys[int(arg)%len(keys)]
		for _, n := range s.nodes {
			if e := n.hs.Lookup([]byte(k.Handle), uint32(k.ID)); !n.down && e != nil && e.Owner() == uint32(n.id) {
				s.deregister(n, k.Handle, k.ID)
				delete(s.live, k)
				return
			}
		}
	case 3: // cut one registrar off
		n := s.node(arg)
		var others []wire.ServerID
		for _, id := range s.ids {
			if id != n.id {
				others = append(others, id)
			}
		}
		s.partition([]wire.ServerID{n.id}, others)
	case 4:
		s.heal()
	case 5: // a registrar dies, once, and not during a partition
		if s.dead != 0 || len(s.cut) > 0 {
			return
		}
		s.deliver()
		n := s.node(arg)
		n.down, s.dead, s.failAt = true, n.id, s.now.Add(3*time.Second)
	case 6: // the dead registrar restarts, with an empty table
		if s.dead == 0 || s.restarted {
			return
		}
		s.restarted = true
		s.add(s.dead, Config{})
		for _, id := range s.ids {
			s.epochs[pair(id, s.dead)]++ // the old incarnation's messages are gone
		}
		for _, id := range s.ids {
			if id != s.dead && !s.nodes[id].down && !s.cut[pair(id, s.dead)] {
				s.connect(s.dead, id)
			}
		}
	default: // time passes
		s.run(time.Duration(arg) * 100 * time.Millisecond)
	}
	s.failover()
	s.renew()
}

// renewal is the pool elements' re-registration interval.
const renewal = 30 * time.Second

// renew re-registers every element with its home, when due.
func (s *scenario) renew() {
	if s.now.Before(s.nextRenewal) {
		return
	}
	s.nextRenewal = s.now.Add(renewal)
	keys := slices.SortedFunc(maps.Keys(s.live), func(a, b Key) int { return int(a.ID) - int(b.ID) })
	for _, k := range keys {
		if n := s.nodes[s.live[k]]; !n.down {
			s.register(n, k.Handle, k.ID)
		}
	}
}

// failover registers the dead registrar's elements at the lowest other
// live registrar, once their time has come.
func (s *scenario) failover() {
	if s.dead == 0 || s.failedOver || s.now.Before(s.failAt) {
		return
	}
	s.failedOver = true
	var to *node
	for _, id := range s.ids {
		if n := s.nodes[id]; id != s.dead && !n.down && to == nil {
			to = n
		}
	}
	keys := slices.SortedFunc(maps.Keys(s.live), func(a, b Key) int { return int(a.ID) - int(b.ID) })
	for _, k := range keys {
		if s.live[k] == s.dead {
			s.register(to, k.Handle, k.ID)
			s.live[k] = to.id
		}
	}
}

func (s *scenario) finish() {
	if s.dead != 0 && !s.failedOver {
		s.run(s.failAt.Sub(s.now))
		s.failover()
	}
	s.heal()
	// Long enough for the peer timers, a takeover, and a renewal of
	// every registration.
	for range int((detection + 2*DefaultTakeoverExpiry + renewal + 4*DefaultHeartbeatCycle) / time.Second) {
		s.run(time.Second)
		s.renew()
	}
	v := s.requireConverged(len(s.live))
	for k := range s.live {
		if _, ok := v[k]; !ok {
			s.t.Fatalf("element %v lost", k)
		}
	}
	for _, n := range s.nodes {
		if n.down {
			continue
		}
		if n.rejected != 0 {
			s.t.Fatalf("node %d refused %d elements from peers", n.id, n.rejected)
		}
		for _, id := range s.ids {
			if a, b := n.hs.Checksum(uint32(id)), n.hs.RecomputeChecksum(uint32(id)); a != b {
				s.t.Fatalf("node %d: checksum of %d is %#04x, recomputed %#04x", n.id, id, a, b)
			}
		}
	}
}

// FuzzReceive feeds arbitrary bytes, as ENRP messages from peers, to a
// registrar's machine among two others and carries out what it asks: no
// input may panic it, and the handlespace's checksums stay right.
func FuzzReceive(f *testing.F) {
	pe := wire.PoolElement{ID: 3, RegLife: 1000, UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 1}, Policy: wire.Policy{Type: wire.PolicyRoundRobin}}
	for _, v := range []wire.ENRPValue{
		&wire.Presence{ENRPHeader: wire.ENRPHeader{Sender: 2}, ReplyRequired: true, Checksum: 7},
		&wire.HandleTableRequest{ENRPHeader: wire.ENRPHeader{Sender: 2, Receiver: 1}, OwnChildrenOnly: true},
		&wire.HandleTableResponse{ENRPHeader: wire.ENRPHeader{Sender: 2, Receiver: 1}, MoreToSend: true,
			Entries: []wire.PoolEntry{{Handle: wire.PoolHandle("p"), Elements: []wire.PoolElement{pe}}}},
		&wire.HandleUpdate{ENRPHeader: wire.ENRPHeader{Sender: 3}, TakeoverSuggested: true, Handle: wire.PoolHandle("p"), Element: pe},
		&wire.InitTakeover{ENRPHeader: wire.ENRPHeader{Sender: 2}, Target: 3},
		&wire.InitTakeoverAck{ENRPHeader: wire.ENRPHeader{Sender: 2}, Target: 3},
		&wire.TakeoverServer{ENRPHeader: wire.ENRPHeader{Sender: 2}, Target: 1},
	} {
		f.Add(wire.AppendENRP(nil, v), byte(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, step byte) {
		c := newCluster(t, Config{HonourSuggestions: true}, 1, 2, 3)
		c.mesh()
		c.spread(5, 1, 2, 3)
		c.run(time.Second)
		v, err := Decode(b)
		if err != nil {
			return
		}
		n := c.nodes[1]
		c.do(n, n.m.Receive(c.now, v))
		c.run(time.Duration(step) * 100 * time.Millisecond)
		for _, n := range c.nodes {
			for owner := range c.nodes {
				if a, b := n.hs.Checksum(uint32(owner)), n.hs.RecomputeChecksum(uint32(owner)); a != b {
					t.Fatalf("node %d: checksum of %d is %#04x, recomputed %#04x", n.id, owner, a, b)
				}
			}
		}
	})
}
