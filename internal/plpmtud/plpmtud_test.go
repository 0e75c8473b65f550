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
	// current size is re-probed and holds when its probe is answered.
	p.run(t, s, now, now.Add(5*time.Minute))
	before := s.PMTU()
	s.PacketTooBig(now, 600)
	assert.Equal(t, before, s.PMTU())
	size, ok = s.Probe(now.Add(5 * time.Minute))
	require.True(t, ok)
	assert.Equal(t, before, size)
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
