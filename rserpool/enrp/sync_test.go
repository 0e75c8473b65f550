package enrp

import (
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// A registrar that joins fetches each peer's elements in parts (M flag),
// and its peers fetch its own.
func TestSyncOnJoin(t *testing.T) {
	c := newCluster(t, Config{}, 1, 2)
	c.spread(120, 1) // 50 per response: three parts
	c.spread(7, 2)
	var parts, more int
	c.observe = func(from, to wire.ServerID, v wire.ENRPValue) {
		if r, ok := v.(*wire.HandleTableResponse); ok && from == 1 {
			parts++
			if r.MoreToSend {
				more++
			}
		}
	}
	c.mesh()
	c.run(time.Second)
	v := c.requireConverged(127)
	if o := owners(v); o[1] != 120 || o[2] != 7 {
		t.Errorf("owners %v, want 120 of 1 and 7 of 2", o)
	}
	if parts != 3 || more != 2 {
		t.Errorf("node 1 sent %d responses, %d with M; want 3 and 2", parts, more)
	}
	for _, id := range []wire.ServerID{1, 2} {
		if st := c.nodes[id].m.Stats(); st.SyncsDone != 1 {
			t.Errorf("node %d: %d syncs done, want 1", id, st.SyncsDone)
		}
	}
}

// Registrations and deregistrations reach every peer as Handle Updates.
func TestHandleUpdates(t *testing.T) {
	c := newCluster(t, Config{}, 1, 2, 3)
	c.mesh()
	c.run(time.Second)
	c.spread(20, 1, 2, 3)
	c.deliver()
	c.requireConverged(60)
	c.deregister(c.nodes[2], "pool-3", 2<<16|4)
	c.deliver()
	v := c.requireConverged(59)
	if o := owners(v); o[1] != 20 || o[2] != 19 || o[3] != 20 {
		t.Errorf("owners %v", o)
	}
	// A stale delete from a peer that no longer owns the element
	// leaves it alone.
	c.do(c.nodes[3], c.nodes[3].m.Receive(c.now, &wire.HandleUpdate{
		ENRPHeader: wire.ENRPHeader{Sender: 2, Receiver: 3}, Action: wire.DelPE,
		Handle: wire.PoolHandle("pool-0"), Element: wire.PoolElement{ID: 1<<16 | 1}}))
	if c.nodes[3].hs.Lookup([]byte("pool-0"), 1<<16|1) == nil {
		t.Error("a delete from a peer that does not own the element removed it")
	}
}

// A Presence whose checksum disagrees repairs the sender's part: missing
// elements come back, invented ones go.
func TestAuditRepairs(t *testing.T) {
	c := newCluster(t, Config{}, 1, 2)
	c.mesh()
	c.spread(30, 1, 2)
	c.run(time.Second)
	c.requireConverged(60)
	b := c.nodes[2]
	b.hs.Deregister([]byte("pool-0"), 1<<16|1) // lost
	c.do(b, []Action{{Kind: AddElement, Owner: 1, Handle: wire.PoolHandle("ghost"),
		Element: wire.PoolElement{ID: 99, RegLife: 1000, UserTransport: wire.Transport{Type: wire.ParamSCTPTransport}, Policy: wire.Policy{Type: wire.PolicyRoundRobin}}}})
	c.run(DefaultHeartbeatCycle + time.Second)
	c.requireConverged(60)
	if st := b.m.Stats(); st.AuditMismatches == 0 {
		t.Error("no audit mismatch counted")
	}
}

// A peer learned from a multicast Presence is fetched from like a
// configured one, and answers the audit.
func TestMulticastDiscovery(t *testing.T) {
	c := newCluster(t, Config{Multicast: true}, 1, 2, 3)
	c.spread(10, 1, 2, 3)
	c.run(DefaultHeartbeatCycle)
	c.requireConverged(30)
	if n := len(c.nodes[1].m.Peers()); n != 2 {
		t.Errorf("node 1 knows %d peers, want 2", n)
	}
}

// A synchronisation whose request or answer was lost (with an association
// that failed unnoticed, or a peer that restarted) starts over after
// MaxTimeNoResponse instead of blocking that peer's audits for good.
func TestStalledSyncRestarts(t *testing.T) {
	c := newCluster(t, Config{}, 1, 2)
	c.spread(20, 2)
	c.cut[pair(1, 2)] = true // the first exchange is lost
	c.mesh()
	c.run(time.Second)
	delete(c.cut, pair(1, 2))
	c.run(DefaultMaxTimeNoResponse + time.Second)
	c.requireConverged(20)
	if st := c.nodes[1].m.Stats(); st.SyncsStalled == 0 {
		t.Errorf("no stalled synchronisation counted: %+v", st)
	}
}
