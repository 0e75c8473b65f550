// Package plpmtud is Packetization Layer Path MTU Discovery (RFC 8899) for
// one path, as an I/O-free state machine: the caller sends the probes it
// asks for (for SCTP, a HEARTBEAT padded with a PAD chunk to the probed
// size, RFC 8899 section 10.2), reports their acknowledgements, calls
// Timeout when Deadline passes, and sizes its packets by PMTU.
//
// Sizes are in packetization-layer bytes: the whole SCTP packet, which is
// the UDP payload when SCTP runs over UDP (RFC 6951).
//
// The search trusts only what was acknowledged: PMTU starts at the base
// size and rises only when a probe of the larger size is acknowledged. A
// lost probe is never a congestion signal; it only bounds the search. An
// ICMP Packet Too Big message is a hint that steers the next probe, never a
// proof (RFC 8899 section 4.6).
package plpmtud

import "time"

// State is the search phase of RFC 8899 section 5.2.
type State uint8

// The states of RFC 8899 section 5.2 (DISABLED is a Config choice, not a
// state of a running search).
const (
	Base           State = iota // confirming that BASE_PLPMTU gets through
	Searching                   // probing larger sizes
	SearchComplete              // done until the raise timer or a black hole
	Error                       // not even the base size gets through
)

func (s State) String() string {
	switch s {
	case Base:
		return "base"
	case Searching:
		return "searching"
	case SearchComplete:
		return "search-complete"
	case Error:
		return "error"
	}
	return "unknown"
}

// Defaults of Config (RFC 8899 section 5.1).
const (
	DefaultMaxProbes     = 3
	DefaultProbeTimeout  = 5 * time.Second // Linux's smallest probe interval
	DefaultConfirm       = 30 * time.Second
	DefaultRaiseInterval = 600 * time.Second
	DefaultStep          = 16
	minProbeTimeout      = time.Second // "MUST NOT be smaller than 1 second"
)

// Config sets one path's search.
type Config struct {
	Base int // BASE_PLPMTU: the size assumed until confirmed, and after a black hole
	Min  int // MIN_PLPMTU: the size used when not even Base gets through (at most Base)
	Max  int // MAX_PLPMTU: the largest size to try, from the local interface

	MaxProbes     int           // MAX_PROBES: unacknowledged probes of a size that fail it
	ProbeTimeout  time.Duration // PROBE_TIMER: how long a probe waits for its acknowledgement
	Confirm       time.Duration // how often a completed search re-probes its size (black holes); negative: never
	RaiseInterval time.Duration // PMTU_RAISE_TIMER: when a completed search looks higher again
	Step          int           // the search stops when the bounds are this close
}

func (c *Config) fill() {
	c.Min = min(max(c.Min, 1), c.Base)
	c.Max = max(c.Max, c.Base)
	if c.MaxProbes <= 0 {
		c.MaxProbes = DefaultMaxProbes
	}
	if c.ProbeTimeout == 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	c.ProbeTimeout = max(c.ProbeTimeout, minProbeTimeout)
	if c.Confirm == 0 {
		c.Confirm = DefaultConfirm
	}
	if c.RaiseInterval <= 0 {
		c.RaiseInterval = DefaultRaiseInterval
	}
	if c.Step <= 0 {
		c.Step = DefaultStep
	}
}

// Search is the discovery state of one path.
type Search struct {
	cfg   Config
	state State
	pmtu  int // PLPMTU: the largest confirmed size, what packets may use

	probed   int       // PROBED_SIZE: the size being probed, 0 when none is due
	count    int       // PROBE_COUNT: unacknowledged probes of probed so far
	inFlight bool      // a probe of probed is out, waiting for its ack or the deadline
	deadline time.Time // when the probe is lost, or the next probe is due
	high     int       // the smallest size known not to get through (Max+1 if none)
	hint     int       // a Packet Too Big size not yet tried, 0 if none
	suspect  int       // a Packet Too Big size below PMTU, awaiting the re-probe of PMTU; 0 if none
	raiseAt  time.Time // in SearchComplete, when to search upward again
}

// New starts a search at now: the first probe (of Base) is due at once.
func New(cfg Config, now time.Time) *Search {
	cfg.fill()
	s := &Search{cfg: cfg}
	s.restart(now)
	return s
}

// PMTU returns the size packets may use now.
func (s *Search) PMTU() int { return s.pmtu }

// State returns the search phase.
func (s *Search) State() State { return s.state }

// Deadline returns when Timeout must next be called.
func (s *Search) Deadline() time.Time { return s.deadline }

// Max returns the largest size the search tries.
func (s *Search) Max() int { return s.cfg.Max }

// RaiseMax lets the search try sizes up to max from now on, a ceiling
// higher than the one it has: a completed search looks higher again at
// once. A size that failed still bounds the search until the raise
// timer, as it would have below the old ceiling.
func (s *Search) RaiseMax(now time.Time, max int) {
	old := s.cfg.Max
	if max <= old {
		return
	}
	s.cfg.Max = max
	if s.high == old+1 {
		s.high = max + 1 // nothing failed: the old ceiling bounded the search
	}
	if s.state == SearchComplete && s.candidate() != 0 {
		s.state = Searching
		s.next(now)
	}
}

// Restart starts again from the base size, as after a move: a path that
// got a new source address or was added by ASCONF may not carry what the
// old one did.
func (s *Search) Restart(now time.Time) { s.restart(now) }

func (s *Search) restart(now time.Time) {
	s.state, s.pmtu, s.high, s.hint, s.suspect = Base, s.cfg.Base, s.cfg.Max+1, 0, 0
	s.aim(now, s.cfg.Base)
}

// aim makes size the next probe, due at once.
func (s *Search) aim(now time.Time, size int) {
	s.probed, s.count, s.inFlight, s.deadline = size, 0, false, now
}

// Probe returns the size of a probe to send now, if one is due. The
// caller must send exactly one packet of that size and report it with
// Acked or let Timeout find it lost.
func (s *Search) Probe(now time.Time) (size int, ok bool) {
	if s.probed == 0 || s.inFlight || now.Before(s.deadline) {
		return 0, false
	}
	s.inFlight, s.deadline = true, now.Add(s.cfg.ProbeTimeout)
	return s.probed, true
}

// Acked reports that the probe of size was acknowledged.
func (s *Search) Acked(now time.Time, size int) {
	if !s.inFlight || size != s.probed {
		return // a late ack of an earlier probe: only the current one counts
	}
	s.pmtu = max(s.pmtu, size)
	s.suspect = 0 // PMTU still gets through: the hint that doubted it was wrong
	switch s.state {
	case Base, Error:
		s.state = Searching
		s.next(now)
	case Searching:
		s.next(now)
	case SearchComplete:
		s.confirmLater(now) // the completed size still gets through
	}
}

// Timeout handles the deadline: a lost probe, or a timer of a completed
// search. Calls before the deadline do nothing.
func (s *Search) Timeout(now time.Time) {
	if now.Before(s.deadline) {
		return
	}
	if !s.inFlight {
		if s.state == SearchComplete && !now.Before(s.raiseAt) {
			s.state, s.high = Searching, s.cfg.Max+1 // look higher again
			s.next(now)
		}
		return
	}
	s.inFlight = false
	if s.count++; s.count < s.cfg.MaxProbes {
		s.deadline = now // send the same size again
		return
	}
	s.failed(now)
}

// failed handles MAX_PROBES lost probes of s.probed.
func (s *Search) failed(now time.Time) {
	if s.suspect != 0 {
		s.hintedBlackHole(now)
		return
	}
	switch s.state {
	case Base:
		// Not even the base gets through: use the minimum and keep
		// checking the base now and then (RFC 8899 section 5.2, ERROR).
		s.state, s.pmtu = Error, s.cfg.Min
		s.probed, s.count, s.deadline = s.cfg.Base, 0, now.Add(s.cfg.Confirm)
	case Error:
		s.count, s.deadline = 0, now.Add(s.cfg.Confirm)
	case Searching:
		s.high = min(s.high, s.probed)
		s.next(now)
	case SearchComplete:
		s.blackHole(now) // the size the search settled on stopped getting through
	}
}

// next chooses the next probe of a search, or completes it.
func (s *Search) next(now time.Time) {
	size := s.candidate()
	if size == 0 {
		s.state, s.raiseAt = SearchComplete, now.Add(s.cfg.RaiseInterval)
		s.confirmLater(now)
		return
	}
	s.aim(now, size)
}

// candidate returns the next size to probe between the confirmed PMTU
// and the smallest failed size, or 0 when they are within Step. It tries
// a pending Packet Too Big hint first, then the largest possible size
// (most paths carry all the local interface does), then halves the gap.
func (s *Search) candidate() int {
	lo, hi := s.pmtu, min(s.high, s.cfg.Max+1)
	if h := s.hint; h > lo && h < hi {
		s.hint = 0
		return h
	}
	s.hint = 0
	switch {
	case hi-lo <= s.cfg.Step:
		return 0
	case hi == s.cfg.Max+1:
		return s.cfg.Max
	}
	return (lo + hi) / 2 &^ 3 // SCTP packets are multiples of 4 bytes
}

// confirmLater schedules the periodic re-probe of a completed size, or
// only the raise timer when confirmations are off.
func (s *Search) confirmLater(now time.Time) {
	s.probed, s.count, s.inFlight = s.pmtu, 0, false
	s.deadline = now.Add(s.cfg.Confirm)
	if s.cfg.Confirm < 0 {
		s.probed = 0
		s.deadline = s.raiseAt
	}
	if s.raiseAt.Before(s.deadline) {
		s.deadline = s.raiseAt
	}
}

// BlackHole reports that packets of the current size are being lost
// while smaller ones get through (RFC 8899 section 4.3): the search drops
// to the base size at once and searches again.
func (s *Search) BlackHole(now time.Time) {
	if s.suspect != 0 {
		s.hintedBlackHole(now) // a Packet Too Big said where to look
		return
	}
	s.blackHole(now)
}

func (s *Search) blackHole(now time.Time) {
	failed := s.pmtu
	s.restart(now)
	if failed > s.cfg.Base {
		s.high = failed // the size that failed is not worth trying first again
	}
}

// PacketTooBig takes the size an ICMP Packet Too Big message reported,
// converted by the caller to packetization-layer bytes, as a hint (RFC
// 8899 section 4.6.2); it reports whether the hint was used. A hint never
// changes PMTU by itself:
//
//   - below Base, it is discarded: every path is assumed to carry Base,
//     so the message is forged or broken (section 4.6.1);
//   - at or above PMTU when no larger probe is out (SearchComplete), or
//     not smaller than the probe, it is inconsistent with what was sent
//     and discarded;
//   - between PMTU and the probe in flight, it becomes the next probe, at
//     once, and bounds the search: the probe it answers is taken as too
//     big, and no size above the hint is tried before the raise timer
//     (while the base is being confirmed, it is the probe after the base);
//   - below PMTU, the path may have shrunk: PMTU is re-probed at once. If
//     that probe is acknowledged the hint was wrong and is forgotten; if
//     it is lost, PMTU falls to the base (a black hole confirmed by the
//     hint and the loss together) and the hinted size is probed next.
func (s *Search) PacketTooBig(now time.Time, size int) bool {
	size &^= 3 // SCTP packets are multiples of 4 bytes
	switch {
	case size < s.cfg.Base || s.state == Error:
		return false
	case size < s.pmtu:
		if s.suspect == 0 || size < s.suspect {
			s.suspect = size
		}
		if s.probed != s.pmtu || !s.inFlight {
			s.aim(now, s.pmtu)
		}
		s.count = s.cfg.MaxProbes - 1 // one loss decides
		return true
	case s.state == Base:
		s.hint, s.high = size, min(s.high, size+1) // tried once the base is confirmed
		return true
	case s.state == SearchComplete || size >= s.probed:
		return false
	}
	s.hint, s.high = size, min(s.high, size+1)
	s.next(now) // the probe in flight was too big: move on now
	return true
}

// hintedBlackHole handles the loss of the re-probe that a Packet Too Big
// hint below PMTU asked for: the search falls to the base and tries the
// hinted size right after confirming it.
func (s *Search) hintedBlackHole(now time.Time) {
	size := s.suspect
	s.blackHole(now)
	s.hint, s.high = size, min(s.high, size+1)
}
