package stack

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The path manager's rules, without an association: states, the choice of
// the primary and of where retransmissions go, and when paths are probed.

var pmEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// newTestManager returns a manager with n confirmed paths to 192.0.2.1,
// 192.0.2.2, ..., the first primary and preferred.
func newTestManager(t *testing.T, cfg Config, n int) (*pathManager, []*path) {
	t.Helper()
	c := cfg.withDefaults()
	m := &pathManager{cfg: &c}
	for i := range n {
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), 9899)
		p := m.addPath(remote, netip.MustParseAddr("198.51.100.1"))
		p.state = PathActive
	}
	m.startOn(m.paths[0])
	require.Len(t, m.paths, n)
	return m, slices.Clone(m.paths)
}

func TestPathManagerHeard(t *testing.T) {
	for _, from := range []PathState{PathUnconfirmed, PathPotentiallyFailed, PathInactive} {
		t.Run(from.String(), func(t *testing.T) {
			m, ps := newTestManager(t, Config{}, 2)
			p := ps[1]
			p.state, p.errors = from, 3
			ch := m.heard(pmEpoch, p)
			assert.Equal(t, pathChange{from: from, to: PathActive}, ch)
			assert.Equal(t, PathActive, p.state)
			assert.Zero(t, p.errors)
			assert.Equal(t, pmEpoch, p.activeSince)
		})
	}
	m, ps := newTestManager(t, Config{}, 1)
	ps[0].errors = 2
	ps[0].activeSince = pmEpoch
	ch := m.heard(pmEpoch.Add(time.Minute), ps[0])
	assert.Equal(t, pathChange{from: PathActive, to: PathActive}, ch, "an active path stays")
	assert.Zero(t, ps[0].errors)
	assert.Equal(t, pmEpoch, ps[0].activeSince, "still active since it first was")
}

func TestPathManagerFailed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		from   PathState
		errors int // before this one
		want   PathState
		hb     bool // a probe is scheduled an RTO from now
	}{
		{"first error with PF at 0", Config{}, PathActive, 0, PathPotentiallyFailed, true},
		{"below the PF threshold", Config{PFThreshold: 2}, PathActive, 1, PathActive, false},
		{"past the PF threshold", Config{PFThreshold: 2}, PathActive, 2, PathPotentiallyFailed, true},
		{"SCTP-PF off", Config{PFThreshold: -1}, PathActive, 0, PathActive, false},
		{"PF without heartbeats", Config{HeartbeatInterval: -1}, PathActive, 0, PathPotentiallyFailed, false},
		{"PF stays PF", Config{}, PathPotentiallyFailed, 2, PathPotentiallyFailed, false},
		{"past Path.Max.Retrans", Config{PathMaxRetrans: 3}, PathPotentiallyFailed, 3, PathInactive, false},
		{"SCTP-PF off, past Path.Max.Retrans", Config{PFThreshold: -1, PathMaxRetrans: 1}, PathActive, 1, PathInactive, false},
		{"unconfirmed goes inactive", Config{PathMaxRetrans: 1}, PathUnconfirmed, 1, PathInactive, false},
		{"inactive stays", Config{PathMaxRetrans: 1}, PathInactive, 4, PathInactive, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ps := newTestManager(t, tc.cfg, 2)
			p := ps[1]
			p.state, p.errors = tc.from, tc.errors
			ch := m.failed(pmEpoch, p)
			assert.Equal(t, tc.errors+1, p.errors)
			assert.Equal(t, tc.want, p.state)
			assert.Equal(t, pathChange{from: tc.from, to: tc.want}, ch)
			if tc.hb {
				assert.Equal(t, pmEpoch.Add(p.rto.rto), p.hbDue)
			} else {
				assert.True(t, p.hbDue.IsZero(), "no probe scheduled")
			}
		})
	}
}

func TestPathManagerFailedPendingHeartbeat(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 1)
	due := pmEpoch.Add(time.Hour)
	ps[0].hbPending, ps[0].hbDue = true, due
	m.failed(pmEpoch, ps[0])
	assert.Equal(t, due, ps[0].hbDue, "the outstanding heartbeat keeps its schedule")
}

func TestPathManagerFailover(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 3)
	ps[1].rto.sample(80 * time.Millisecond)
	ps[2].rto.sample(20 * time.Millisecond)

	ch := m.failed(pmEpoch, ps[0])
	assert.True(t, ch.primary)
	assert.Same(t, ps[2], m.primary, "the active path with the lowest SRTT")
	assert.Same(t, ps[0], m.preferred, "the preference stays")

	// Data stays on the current destination while it is active, even if
	// another path becomes better.
	ps[1].rto.sample(time.Millisecond)
	assert.False(t, m.choose(pmEpoch))
	assert.Same(t, ps[2], m.primary)

	// With no active path, the potentially failed one with fewest errors.
	ps[1].state, ps[1].errors = PathPotentiallyFailed, 1
	ps[2].state, ps[2].errors = PathPotentiallyFailed, 3
	ps[0].errors = 2
	assert.True(t, m.choose(pmEpoch))
	assert.Same(t, ps[1], m.primary)

	// With nothing usable, back to the preferred path.
	for _, p := range ps {
		p.state = PathInactive
	}
	assert.True(t, m.choose(pmEpoch))
	assert.Same(t, ps[0], m.primary)
}

func TestPathManagerSwitchback(t *testing.T) {
	m, ps := newTestManager(t, Config{SwitchbackHold: 5 * time.Second}, 2)
	m.failed(pmEpoch, ps[0])
	require.Same(t, ps[1], m.primary)

	back := pmEpoch.Add(time.Second)
	ch := m.heard(back, ps[0])
	assert.False(t, ch.primary, "a recovered preferred path waits out the hold")
	assert.Same(t, ps[1], m.primary)
	assert.Equal(t, back.Add(5*time.Second), m.switchbackDue)
	assert.True(t, m.onProbation(ps[0]))
	assert.False(t, m.onProbation(ps[1]))

	assert.False(t, m.choose(back.Add(4*time.Second)))
	assert.True(t, m.choose(back.Add(5*time.Second)))
	assert.Same(t, ps[0], m.primary)
	assert.True(t, m.switchbackDue.IsZero())
	assert.False(t, m.onProbation(ps[0]))
}

func TestPathManagerNoSwitchback(t *testing.T) {
	m, ps := newTestManager(t, Config{SwitchbackHold: -1}, 2)
	m.failed(pmEpoch, ps[0])
	m.heard(pmEpoch.Add(time.Second), ps[0])
	assert.False(t, m.choose(pmEpoch.Add(time.Hour)))
	assert.Same(t, ps[1], m.primary, "data stays where it failed over to")

	m.failed(pmEpoch.Add(time.Hour), ps[1])
	assert.Same(t, ps[0], m.primary, "until that path fails in turn")
}

func TestPathManagerPrefer(t *testing.T) {
	m, ps := newTestManager(t, Config{SwitchbackHold: time.Hour}, 3)
	assert.True(t, m.prefer(pmEpoch, ps[2]), "an explicit choice applies at once")
	assert.Same(t, ps[2], m.primary)
	assert.Same(t, ps[2], m.preferred)

	ps[1].state = PathUnconfirmed
	assert.False(t, m.prefer(pmEpoch, ps[1]), "not before the path is confirmed")
	assert.Same(t, ps[2], m.primary)
	m.heard(pmEpoch, ps[1])
	assert.Same(t, ps[1], m.primary, "and then without the switch-back hold")
}

func TestPathManagerRtxPath(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 3)
	fast := &outChunk{path: ps[1]}
	assert.Same(t, ps[1], m.rtxPath(fast), "a fast retransmission stays on its path")
	ps[1].state = PathPotentiallyFailed
	assert.Same(t, ps[0], m.rtxPath(fast), "a potentially failed path only when no path is active (RFC 7829 5.1)")
	ps[0].state, ps[2].state = PathPotentiallyFailed, PathPotentiallyFailed
	assert.Same(t, ps[1], m.rtxPath(fast), "every path potentially failed: its own")
	ps[0].state, ps[2].state = PathActive, PathActive
	ps[1].state = PathInactive
	assert.Same(t, ps[0], m.rtxPath(fast), "else to the primary")

	timedOut := &outChunk{path: ps[0], timedOut: true}
	assert.Same(t, ps[2], m.rtxPath(timedOut), "a timed out chunk avoids the path that lost it")
	ps[2].state = PathPotentiallyFailed
	assert.Same(t, ps[0], m.rtxPath(timedOut), "unless no other path is active")
	assert.Same(t, ps[0], m.rtxPath(&outChunk{}), "a chunk never sent goes to the primary")
}

func TestPathManagerRemove(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 3)
	ps[1].rto.sample(10 * time.Millisecond)
	assert.False(t, m.removePath(pmEpoch, ps[2]))
	assert.Same(t, ps[0], m.primary)
	assert.Len(t, m.paths, 2)
	assert.Nil(t, m.pathTo(ps[2].remote.Addr()))

	assert.False(t, m.removePath(pmEpoch, ps[0]), "the next path takes over as is")
	assert.Same(t, ps[1], m.primary)
	assert.Same(t, ps[1], m.preferred)
	assert.Equal(t, []netip.Addr{ps[1].remote.Addr()}, m.peerAddrs())

	m, ps = newTestManager(t, Config{}, 3)
	ps[1].state = PathInactive
	assert.True(t, m.removePath(pmEpoch, ps[0]), "an inactive successor is passed over")
	assert.Same(t, ps[2], m.primary)
}

func TestPathManagerRotateInit(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 3)
	ps[1].state, ps[2].state = PathUnconfirmed, PathUnconfirmed
	for _, want := range []*path{ps[1], ps[2], ps[0]} {
		require.True(t, m.rotateInit())
		assert.Same(t, want, m.primary)
		assert.Equal(t, PathActive, want.state)
	}
	assert.Same(t, ps[0], m.preferred)
	single, _ := newTestManager(t, Config{}, 1)
	assert.False(t, single.rotateInit())
}

func TestPathManagerHeartbeatSchedule(t *testing.T) {
	cfg := Config{HeartbeatInterval: 30 * time.Second, SwitchbackHold: time.Hour}
	m, ps := newTestManager(t, cfg, 2)
	p := ps[1]
	rto := p.rto.rto

	p.state = PathUnconfirmed
	m.scheduleHeartbeat(pmEpoch, p)
	assert.Equal(t, pmEpoch, p.hbDue, "a new address is verified at once")
	p.hbPending = true
	m.scheduleHeartbeat(pmEpoch, p)
	assert.Equal(t, pmEpoch.Add(rto), p.hbDue, "then once per RTO")

	p.state = PathPotentiallyFailed
	assert.Equal(t, rto, m.hbPeriod(p))

	p.state = PathActive
	for range 50 {
		d := m.hbPeriod(p)
		assert.GreaterOrEqual(t, d, 30*time.Second+rto/2)
		assert.LessOrEqual(t, d, 30*time.Second+rto+rto/2)
	}

	// The recovered preferred path is watched closely until data returns.
	m.failed(pmEpoch, ps[0])
	m.heard(pmEpoch, ps[0])
	require.True(t, m.onProbation(ps[0]))
	assert.Equal(t, ps[0].rto.rto, m.hbPeriod(ps[0]))

	off, offPaths := newTestManager(t, Config{HeartbeatInterval: -1}, 1)
	offPaths[0].hbDue = pmEpoch
	off.startHeartbeats(pmEpoch)
	assert.True(t, offPaths[0].hbDue.IsZero(), "heartbeats off")
}

func TestPathManagerAltSources(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 1)
	p := ps[0]
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	usable := addrs("198.51.100.1", "198.51.100.2", "2001:db8::1", "198.51.100.3", "127.0.0.1")
	bound := addrs("198.51.100.1", "198.51.100.2", "2001:db8::1", "127.0.0.1")
	assert.Equal(t, addrs("198.51.100.2"), m.altSources(p, usable, bound),
		"not the current source, another family, an unbound address or loopback toward a global one")

	many := addrs("198.51.100.1", "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5")
	var seen []netip.Addr
	for range 2 {
		round := m.altSources(p, many, many)
		assert.Len(t, round, maxSourceProbes)
		seen = append(seen, round...)
	}
	assert.ElementsMatch(t, addrs("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.1"), seen,
		"rounds take turns over all candidates")
}

func TestPathManagerMoveSource(t *testing.T) {
	m, ps := newTestManager(t, Config{}, 2)
	src := netip.MustParseAddr("198.51.100.7")
	later := pmEpoch.Add(time.Hour)
	for _, p := range ps {
		p.hbPending, p.hbDue = true, later
	}
	ps[1].state = PathPotentiallyFailed

	m.moveSource(pmEpoch, ps[0], src, false)
	assert.Equal(t, src, ps[0].local)
	assert.False(t, ps[0].learned)
	assert.Equal(t, later, ps[0].hbDue, "an active path keeps its schedule")

	m.moveSource(pmEpoch, ps[1], src, false)
	assert.Equal(t, pmEpoch, ps[1].hbDue, "a failing path is probed from its new source at once")
	assert.False(t, ps[1].hbPending, "the heartbeat from the old source no longer counts")

	ps[1].hbPending, ps[1].hbDue = true, later
	m.moveSource(pmEpoch, ps[1], netip.MustParseAddr("198.51.100.8"), true)
	assert.True(t, ps[1].learned)
	assert.Equal(t, later, ps[1].hbDue, "a source that answered needs no new probe")
}
