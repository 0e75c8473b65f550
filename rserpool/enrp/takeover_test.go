package enrp

import (
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// detection is the longest a dead peer can go unnoticed: silent for
// MaxTimeLastHeard, then MaxTimeNoResponse after the probe.
const detection = DefaultMaxTimeLastHeard + DefaultMaxTimeNoResponse

func startedMesh(t *testing.T, per int, ids ...wire.ServerID) *cluster {
	c := newCluster(t, Config{}, ids...)
	c.mesh()
	c.spread(per, ids...)
	c.run(time.Second)
	c.requireConverged(per * len(ids))
	return c
}

// A registrar that dies silently is taken over by one survivor: every
// element of it has a new home, none lost or duplicated.
func TestTakeoverOfDeadPeer(t *testing.T) {
	c := startedMesh(t, 40, 1, 2, 3)
	c.nodes[3].down = true
	c.run(detection + DefaultTakeoverExpiry)
	v := c.requireConverged(120)
	o := owners(v)
	if o[3] != 0 || o[1]+o[2] != 120 || (o[1] != 80 && o[2] != 80) {
		t.Fatalf("owners %v, want node 3's 40 elements moved to one survivor", o)
	}
	won := c.nodes[1].m.Stats().TakeoversWon + c.nodes[2].m.Stats().TakeoversWon
	if won != 1 {
		t.Errorf("%d takeovers won, want 1", won)
	}
	for _, id := range []wire.ServerID{1, 2} {
		if ps := c.nodes[id].m.Peers(); len(ps) != 1 {
			t.Errorf("node %d peers %v, want only the other survivor", id, ps)
		}
	}
}

// Two survivors that find the peer dead at the same moment both start a
// takeover; the lower server ID wins and the other acknowledges it.
func TestConcurrentTakeover(t *testing.T) {
	c := startedMesh(t, 25, 5, 7, 9)
	// Both survivors hear the target for the last time at the same
	// instant, so their timers expire together.
	c.nodes[9].down = true
	c.nodes[5].m.peers[9].deadline = c.now.Add(time.Second)
	c.nodes[7].m.peers[9].deadline = c.now.Add(time.Second)
	c.run(detection + DefaultTakeoverExpiry)
	s5, s7 := c.nodes[5].m.Stats(), c.nodes[7].m.Stats()
	if s5.TakeoversStarted != 1 || s7.TakeoversStarted != 1 {
		t.Fatalf("takeovers started: %d and %d, want both to start one", s5.TakeoversStarted, s7.TakeoversStarted)
	}
	if s5.TakeoversWon != 1 || s7.TakeoversWon != 0 || s7.TakeoversAbandoned != 1 {
		t.Errorf("node 5 won %d, node 7 won %d and abandoned %d; want the lower ID to win", s5.TakeoversWon, s7.TakeoversWon, s7.TakeoversAbandoned)
	}
	if o := owners(c.requireConverged(75)); o[5] != 50 || o[7] != 25 {
		t.Errorf("owners %v, want node 9's elements at node 5", o)
	}
}

// A target that hears the Init Takeover is alive: its Presences stop the
// takeover if they arrive before the last acknowledgement, and it keeps its
// elements.
func TestTakeoverStoppedByTarget(t *testing.T) {
	c := startedMesh(t, 10, 1, 2, 3)
	// Node 1 believes node 3 dead (its view is stale); node 3 is fine.
	// Node 2's acknowledgement is held up.
	c.cut[pair(1, 2)] = true
	p := c.nodes[1].m.peers[3]
	c.do(c.nodes[1], func() []Action {
		c.nodes[1].m.acts = c.nodes[1].m.acts[:0]
		c.nodes[1].m.startTakeover(p, c.now)
		return c.nodes[1].m.acts
	}())
	c.run(DefaultTakeoverExpiry + time.Second)
	delete(c.cut, pair(1, 2))
	c.run(time.Second)
	if o := owners(c.requireConverged(30)); o[3] != 10 {
		t.Errorf("owners %v, want node 3 to keep its elements", o)
	}
	if st := c.nodes[1].m.Stats(); st.TakeoversWon != 0 || st.TakeoversAbandoned != 1 {
		t.Errorf("node 1: won %d abandoned %d, want the takeover abandoned", st.TakeoversWon, st.TakeoversAbandoned)
	}
}

// A survivor whose peers are all dead takes over alone; acknowledgements
// missing from silent peers do not hold it up past TakeoverExpiry.
func TestTakeoverWithDeadWitness(t *testing.T) {
	c := startedMesh(t, 10, 1, 2, 3)
	c.nodes[2].down, c.nodes[3].down = true, true
	c.run(detection + 2*DefaultTakeoverExpiry)
	if o := owners(view(c.nodes[1])); o[1] != 30 {
		t.Errorf("owners at the survivor %v, want all 30 its own", o)
	}
}

// Takeover suggestion: the busier registrar asks the idle one to take
// new elements once it owns two more, and the idle one claims them. (The
// claims are not carried out here: that takes the element's answer.)
func TestTakeoverSuggestion(t *testing.T) {
	c := newCluster(t, Config{SuggestTakeover: true, HonourSuggestions: true}, 1, 2)
	c.mesh()
	c.run(time.Second)
	c.spread(3, 1)
	c.deliver()
	if got := c.nodes[2].claims; len(got) != 2 || got[0].ID != 1<<16|2 || got[1].ID != 1<<16|3 {
		t.Errorf("claims at node 2: %v, want the second and third elements", got)
	}
	if len(c.nodes[1].claims) != 0 {
		t.Errorf("node 1 claimed %v", c.nodes[1].claims)
	}
}

// Without the option, a T flag is ignored.
func TestTakeoverSuggestionNotHonoured(t *testing.T) {
	c := newCluster(t, Config{SuggestTakeover: true}, 1, 2)
	c.mesh()
	c.run(time.Second)
	c.spread(5, 1)
	c.deliver()
	if len(c.nodes[2].claims) != 0 {
		t.Errorf("claims %v without HonourSuggestions", c.nodes[2].claims)
	}
}
