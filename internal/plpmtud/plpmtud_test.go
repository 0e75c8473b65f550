package plpmtud

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Unix(1_800_000_000, 0)

const rtt = 50 * time.Millisecond

// ipv4 is the configuration the stack uses for an IPv4 path behind a
// 1500-byte interface: 1472 bytes of UDP payload at most.
func ipv4() Config { return Config{Base: 1220, Min: 1220, Max: 1472} }

// path answers probes up to a size that the test may change.
type path struct {
	carries int // the largest packet that gets through
	probes  int // probes sent
	lost    int // probes lost
	sizes   []int
}

// run drives s until the given time: it sends every probe s asks for,
// acknowledges it one rtt later if the path carries it, and calls Timeout
// at each deadline. It checks on every step that PMTU never exceeds what
// the path carried when it was confirmed.
func (p *path) run(t *testing.T, s *Search, now, until time.Time) time.Time {
	t.Helper()
	for steps := 0; now.Before(until); steps++ {
		require.Less(t, steps, 10_000, "the search does not settle")
		if size, ok := s.Probe(now); ok {
			p.probes++
			p.sizes = append(p.sizes, size)
			if size <= p.carries {
				now = now.Add(rtt)
				s.Acked(now, size)
				require.LessOrEqual(t, s.PMTU(), p.carries)
				continue
			}
			p.lost++
		}
		next := s.Deadline()
		if !next.After(now) {
			next = now.Add(time.Millisecond)
		}
		if next.After(until) {
			next = until
		}
		now = next
		s.Timeout(now)
	}
	return now
}

func TestSearchFindsSmallerPath(t *testing.T) {
	p := &path{carries: 1252} // a 1280-byte link, IPv4 and UDP headers off
	s := New(ipv4(), t0)
	assert.Equal(t, 1220, s.PMTU(), "before any probe, the base size")
	p.run(t, s, t0, t0.Add(5*time.Minute))
	assert.Equal(t, SearchComplete, s.State())
	assert.LessOrEqual(t, s.PMTU(), 1252)
	assert.Greater(t, s.PMTU(), 1252-DefaultStep, "within one step of the path's size")
	assert.Equal(t, 1220, p.sizes[0], "the base is confirmed first")
	assert.Equal(t, 1472, p.sizes[1], "then the largest size is tried")
	// Each failed size costs MAX_PROBES probes: bounded, not a flood.
	assert.LessOrEqual(t, p.probes, 30, "probes: %v", p.sizes)
	t.Logf("PMTU %d after probes %v", s.PMTU(), p.sizes)
}

func TestSearchWholePathAtOnce(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	p.run(t, s, t0, t0.Add(time.Second))
	assert.Equal(t, SearchComplete, s.State())
	assert.Equal(t, 1472, s.PMTU())
	assert.Equal(t, []int{1220, 1472}, p.sizes)
}

func TestBlackHoleFoundByConfirmation(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, 1472, s.PMTU())

	p.carries = 1252 // the path moved behind a smaller link, ICMP dropped
	p.sizes = nil
	now = p.run(t, s, now, now.Add(DefaultConfirm+time.Duration(DefaultMaxProbes)*DefaultProbeTimeout+time.Second))
	assert.Equal(t, []int{1472, 1472, 1472, 1220}, p.sizes[:4], "MAX_PROBES lost confirmations, then the base")
	assert.LessOrEqual(t, s.PMTU(), 1252, "down to what gets through")

	p.run(t, s, now, now.Add(5*time.Minute))
	assert.Equal(t, SearchComplete, s.State())
	assert.Greater(t, s.PMTU(), 1252-DefaultStep)
}

func TestBlackHoleReported(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	p.carries = 1300
	s.BlackHole(now)
	assert.Equal(t, 1220, s.PMTU(), "back to the base at once")
	assert.Equal(t, Base, s.State())
	p.sizes = nil
	p.run(t, s, now, now.Add(5*time.Minute))
	assert.NotContains(t, p.sizes, 1472, "the size that failed is not tried first again")
	assert.LessOrEqual(t, s.PMTU(), 1300)
	assert.Greater(t, s.PMTU(), 1300-DefaultStep)
}

func TestErrorWhenBaseFails(t *testing.T) {
	p := &path{carries: 1100}
	cfg := ipv4()
	cfg.Min = 1000
	s := New(cfg, t0)
	now := p.run(t, s, t0, t0.Add(time.Duration(DefaultMaxProbes)*DefaultProbeTimeout+time.Second))
	assert.Equal(t, Error, s.State())
	assert.Equal(t, 1000, s.PMTU())

	p.carries = 1472 // the path heals: the base is re-checked and the search goes on
	p.run(t, s, now, now.Add(DefaultConfirm+time.Minute))
	assert.Equal(t, SearchComplete, s.State())
	assert.Equal(t, 1472, s.PMTU())
}

func TestRaiseTimerLooksHigher(t *testing.T) {
	p := &path{carries: 1300}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(5*time.Minute))
	require.Equal(t, SearchComplete, s.State())
	p.carries = 1472
	now = p.run(t, s, now, t0.Add(DefaultRaiseInterval-time.Second))
	assert.LessOrEqual(t, s.PMTU(), 1300, "no higher before the raise timer")
	p.run(t, s, now, t0.Add(DefaultRaiseInterval+time.Minute))
	assert.Equal(t, 1472, s.PMTU())
}

func TestPacketTooBigIsAHint(t *testing.T) {
	p := &path{carries: 1252}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(2*rtt)) // base confirmed, 1472 in flight
	require.Equal(t, Searching, s.State())
	s.PacketTooBig(now, 1252)
	size, ok := s.Probe(now)
	require.True(t, ok, "the hint is probed at once")
	assert.Equal(t, 1252, size)
	assert.Equal(t, 1220, s.PMTU(), "a hint alone raises nothing")
	s.Acked(now.Add(rtt), size)
	assert.Equal(t, 1252, s.PMTU())

	// A forged hint below the confirmed size lowers nothing by itself: the
	// current size is re-probed at once and holds when its probe is
	// answered; a later genuine loss of one confirmation probe is no
	// longer decisive.
	now = p.run(t, s, now, now.Add(5*time.Minute))
	before := s.PMTU()
	require.True(t, s.PacketTooBig(now, 1236))
	assert.Equal(t, before, s.PMTU())
	size, ok = s.Probe(now)
	require.True(t, ok, "the re-probe goes at once")
	assert.Equal(t, before, size)
	s.Acked(now.Add(rtt), size)
	assert.Equal(t, before, s.PMTU())
	assert.Zero(t, s.suspect, "the hint is forgotten")
	assert.Equal(t, SearchComplete, s.State())
}

func TestRestartAndLateAcks(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, 1472, s.PMTU())
	s.Restart(now)
	assert.Equal(t, Base, s.State())
	assert.Equal(t, 1220, s.PMTU(), "a moved path starts from the base")
	s.Acked(now, 1472) // an ack of a probe sent before the move
	assert.Equal(t, 1220, s.PMTU(), "only the current probe's ack counts")
}

func TestConfigBounds(t *testing.T) {
	s := New(Config{Base: 1200, Min: 5000, Max: 100, ProbeTimeout: time.Millisecond}, t0)
	assert.Equal(t, 1200, s.cfg.Min, "Min is at most Base")
	assert.Equal(t, 1200, s.cfg.Max, "Max is at least Base")
	assert.Equal(t, time.Second, s.cfg.ProbeTimeout, "PROBE_TIMER is at least 1 s")
	for st := Base; st <= Error+1; st++ {
		assert.NotEmpty(t, st.String())
	}
}

// TestPacketTooBigBoundsSearch: a router's report during the search
// turns the probe in flight into a failure at once and makes the
// reported size the next and last probe, so the search ends in one round
// trip instead of MAX_PROBES timeouts per size tried.
func TestPacketTooBigBoundsSearch(t *testing.T) {
	p := &path{carries: 1252}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(2*rtt)) // base confirmed, 1472 in flight
	require.True(t, s.PacketTooBig(now, 1252))
	p.run(t, s, now, now.Add(time.Second))
	assert.Equal(t, SearchComplete, s.State())
	assert.Equal(t, 1252, s.PMTU())
	assert.Equal(t, []int{1220, 1472, 1252}, p.sizes, "nothing above the hint is tried")
}

// TestPacketTooBigDuringBase: a report that arrives while the base is
// confirmed is the first probe after it.
func TestPacketTooBigDuringBase(t *testing.T) {
	p := &path{carries: 1300}
	s := New(ipv4(), t0)
	size, ok := s.Probe(t0)
	require.True(t, ok)
	require.Equal(t, 1220, size)
	require.True(t, s.PacketTooBig(t0, 1300))
	assert.Equal(t, 1220, s.PMTU())
	s.Acked(t0.Add(rtt), size)
	p.run(t, s, t0.Add(rtt), t0.Add(time.Second))
	assert.Equal(t, 1300, s.PMTU())
	assert.Equal(t, []int{1300}, p.sizes)
}

// TestPacketTooBigIgnored: hints below the base, above what is sent, not
// smaller than the probe they claim to answer, or in the error state
// change nothing, not even the next probe.
func TestPacketTooBigIgnored(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, SearchComplete, s.State())
	deadline := s.Deadline()
	for _, size := range []int{0, 576, 1219, 1472, 1500, 9000} {
		assert.False(t, s.PacketTooBig(now, size), "size %d", size)
	}
	assert.Equal(t, 1472, s.PMTU())
	assert.Equal(t, deadline, s.Deadline(), "no probe asked for")

	p = &path{carries: 1300}
	s = New(ipv4(), t0)
	now = p.run(t, s, t0, t0.Add(2*rtt)) // 1472 in flight
	assert.False(t, s.PacketTooBig(now, 1472), "not smaller than the probe")
	assert.False(t, s.PacketTooBig(now, 1600))
	_, ok := s.Probe(now)
	assert.False(t, ok, "the probe in flight stays the only one")

	p = &path{carries: 1000} // not even the base
	s = New(ipv4(), t0)
	p.run(t, s, t0, t0.Add(time.Minute))
	require.Equal(t, Error, s.State())
	assert.False(t, s.PacketTooBig(t0.Add(time.Minute), 1300))
}

// TestPacketTooBigBelowPMTU: the path shrinks after the search completed
// and a router says so. PMTU holds until the re-probe of it is lost; then
// it falls to the base and rises to the reported size as soon as a probe
// of that size is acknowledged: one probe timeout and two round trips,
// not MAX_PROBES timeouts per size of a new search.
func TestPacketTooBigBelowPMTU(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, 1472, s.PMTU())
	p.carries, p.sizes = 1252, nil
	require.True(t, s.PacketTooBig(now, 1254)) // rounded down to 1252
	assert.Equal(t, 1472, s.PMTU(), "the hint alone lowers nothing")
	now = p.run(t, s, now, now.Add(DefaultProbeTimeout-time.Millisecond))
	assert.Equal(t, 1472, s.PMTU(), "nor does a probe not yet lost")
	p.run(t, s, now, now.Add(time.Millisecond+3*rtt))
	assert.Equal(t, 1252, s.PMTU())
	assert.Equal(t, SearchComplete, s.State())
	assert.Equal(t, []int{1472, 1220, 1252}, p.sizes)
}

// TestBlackHoleKeepsHint: a black hole found by the association (T3)
// while a hint below PMTU awaits its re-probe goes to the hinted size
// right after the base.
func TestBlackHoleKeepsHint(t *testing.T) {
	p := &path{carries: 1472}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	p.carries, p.sizes = 1300, nil
	require.True(t, s.PacketTooBig(now, 1300))
	s.BlackHole(now)
	assert.Equal(t, 1220, s.PMTU())
	p.run(t, s, now, now.Add(time.Second))
	assert.Equal(t, 1300, s.PMTU())
	assert.Equal(t, []int{1220, 1300}, p.sizes)
}

func TestRaiseMax(t *testing.T) {
	p := &path{carries: 9000 - 28}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, SearchComplete, s.State())
	require.Equal(t, 1472, s.PMTU(), "the first ceiling")

	s.RaiseMax(now, 1000)
	assert.Equal(t, 1472, s.Max(), "a lower ceiling changes nothing")
	assert.Equal(t, SearchComplete, s.State())

	p.sizes = nil
	s.RaiseMax(now, 65504)
	assert.Equal(t, Searching, s.State(), "a completed search looks higher at once")
	p.run(t, s, now, now.Add(5*time.Minute))
	assert.Equal(t, SearchComplete, s.State())
	assert.LessOrEqual(t, s.PMTU(), 9000-28)
	assert.Greater(t, s.PMTU(), 9000-28-DefaultStep, "within one step of the path's size")
	require.NotEmpty(t, p.sizes)
	assert.Equal(t, 65504, p.sizes[0], "the new ceiling is tried first")
}

func TestRaiseMaxKeepsFailedBound(t *testing.T) {
	p := &path{carries: 1300}
	s := New(ipv4(), t0)
	now := p.run(t, s, t0, t0.Add(5*time.Minute))
	require.Equal(t, SearchComplete, s.State())
	pmtu := s.PMTU()
	p.sizes = nil
	s.RaiseMax(now, 65504)
	p.run(t, s, now, now.Add(time.Minute))
	assert.Equal(t, pmtu, s.PMTU())
	assert.NotContains(t, p.sizes, 65504, "a size below the old ceiling failed: no higher one is tried before the raise timer")
}

func TestNoConfirmation(t *testing.T) {
	p := &path{carries: 1472}
	cfg := ipv4()
	cfg.Confirm = -1
	s := New(cfg, t0)
	now := p.run(t, s, t0, t0.Add(time.Second))
	require.Equal(t, SearchComplete, s.State())
	p.sizes = nil
	p.run(t, s, now, now.Add(DefaultRaiseInterval-time.Second))
	assert.Empty(t, p.sizes, "no confirmation probes")
	assert.Equal(t, 1472, s.PMTU())
}
