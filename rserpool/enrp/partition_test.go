package enrp

import (
	"reflect"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// partition cuts the associations between the two groups; both ends see
// them fail.
func (c *cluster) partition(a, b []wire.ServerID) {
	for _, x := range a {
		for _, y := range b {
			c.cut[pair(x, y)] = true
			c.epochs[pair(x, y)]++
			c.do(c.nodes[x], c.nodes[x].m.LinkDown(c.now, y))
			c.do(c.nodes[y], c.nodes[y].m.LinkDown(c.now, x))
		}
	}
}

// heal restores the associations, which say Hello again.
func (c *cluster) heal() {
	cut := c.cut
	c.cut = map[[2]wire.ServerID]bool{}
	for p := range cut {
		c.connect(p[0], p[1])
	}
}

// After a partition longer than the peer timeout, in which each side took
// the other's elements over and registrations changed on both sides, the
// tables converge once the network heals: every element registered at
// the end is there exactly once, on every registrar, with one owner.
func TestPartitionHealConverges(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []wire.ServerID
	}{
		{"one-vs-two", []wire.ServerID{1, 2}, []wire.ServerID{3}},
		{"lowest-isolated", []wire.ServerID{1}, []wire.ServerID{2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startedMesh(t, 20, 1, 2, 3)
			c.partition(tc.a, tc.b)
			// Both sides change meanwhile.
			c.register(c.nodes[tc.a[0]], "late-a", 1)
			c.register(c.nodes[tc.b[0]], "late-b", 2)
			c.deregister(c.nodes[tc.b[0]], "pool-0", wire.PEID(uint32(tc.b[0])<<16|1))
			c.run(detection + 2*DefaultTakeoverExpiry)
			healed := c.now
			c.heal()
			for i := 0; i < 100 && !c.converged(61); i++ {
				c.run(100 * time.Millisecond)
			}
			t.Logf("converged %v after the heal (virtual time)", c.now.Sub(healed))
			c.run(3 * DefaultHeartbeatCycle) // and stays so
			c.requireConverged(61)
		})
	}
}

// converged reports whether the live nodes have the same table of want
// elements.
func (c *cluster) converged(want int) bool {
	var ref map[Key]wire.ServerID
	for _, n := range c.nodes {
		if n.down {
			continue
		}
		v := view(n)
		if len(v) != want || ref != nil && !reflect.DeepEqual(ref, v) {
			return false
		}
		ref = v
	}
	return true
}
