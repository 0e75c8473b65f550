package mobility

import (
	"net/netip"
	"slices"
	"time"
)

// The failover of a Conn after a fallback, in the simulated world of
// sim_test.go (see failover.go for the real one): the first node of a
// pair (the dialler) resolves the peer's handle as soon as it has an
// address, again after the resolution back-off, and dials every address
// it learns; the peer continues the session when the dialler's Cookie
// Echo arrives. The failover ends with a new controller. The nodes keep
// re-registering themselves (a Node does, not its controllers).

// simInterval is the time between two messages each node sends, to count
// the messages a failover sends again.
const simInterval = 10 * time.Millisecond

type simFailover struct {
	at      time.Time // of the fallback
	backoff time.Duration
	dialled []netip.Addr
	won     bool // a dial got through: the others are dropped
	done    bool
	resent  int // messages the old association had taken and not delivered
}

// dialler reports whether n dialled its peer (the first node of a pair).
func (n *simNode) dialler() bool { return n.s.nodes[0] == n }

func (n *simNode) failover(fb Event) {
	if n.s.recovery != RecoverFailover {
		return // the tests of RecoverReattach end at the fallback
	}
	n.fo = &simFailover{at: fb.Time, backoff: DefaultResolveBackoff, resent: n.inFlight(fb.Time)}
	if n.dialler() {
		n.resolveForFailover()
	}
}

// inFlight counts the messages n handed to the old association until its
// fallback at fb that its peer did not receive: those sent less than half
// a round trip before the peer lost its address, or after.
func (n *simNode) inFlight(fb time.Time) int {
	lost := n.peer.lostAt
	if lost.IsZero() {
		lost = fb
	}
	from := lost.Add(-n.s.pathRTT / 2)
	if !fb.After(from) {
		return 0
	}
	return int((fb.Sub(from) + simInterval - 1) / simInterval)
}

// gainedDuringFailover re-registers a failing-over node with its new
// address (the controller no longer does) and lets the dialler resolve
// at once.
func (n *simNode) gainedDuringFailover() {
	if n.fo == nil || n.fo.done {
		return
	}
	if n.handle != "" {
		addrs := slices.Clone(n.addrs)
		n.s.after(n.s.regRTT/2, func() { n.s.registry[n.handle] = addrs })
	}
	if n.dialler() {
		n.fo.backoff = DefaultResolveBackoff
		n.resolveForFailover()
	}
}

func (n *simNode) resolveForFailover() {
	s, fo := n.s, n.fo
	if fo.won || len(n.addrs) == 0 {
		return
	}
	s.after(s.regRTT/2, func() {
		got := slices.Clone(s.registry[n.peerHandle])
		s.after(s.regRTT/2, func() {
			for _, to := range got {
				if !slices.Contains(fo.dialled, to) && !fo.won {
					fo.dialled = append(fo.dialled, to)
					n.dial(to)
				}
			}
		})
	})
	wait := fo.backoff
	fo.backoff = min(2*fo.backoff, DefaultResolveBackoffMax)
	s.after(wait, func() { n.resolveForFailover() })
}

// dial sets up a new association with the peer at to (INIT, COOKIE ECHO:
// two round trips) and continues the session over it: the Cookie Echo
// reaches the peer half a round trip later, which answers and sends again
// what the dialler had not received; the dialler does the same on the
// answer. An INIT to an address the peer does not hold goes unanswered.
func (n *simNode) dial(to netip.Addr) {
	s, p, src := n.s, n.peer, n.addrs[0]
	rtt := s.pathRTT
	s.after(rtt/2, func() {
		if !p.holds(to) {
			return
		}
		s.after(2*rtt, func() { // the dialler's Cookie Echo arrives
			if !n.holds(src) || !p.holds(to) || n.fo.won {
				return
			}
			n.fo.won = true
			p.failedOver(src)
			s.after(rtt/2, func() { n.failedOver(to) })
		})
	})
}

// failedOver ends n's failover: a new controller on an association with
// the peer's address to, and the first data half a round trip later at
// the peer.
func (n *simNode) failedOver(to netip.Addr) {
	s, p := n.s, n.peer
	if n.fo == nil { // the peer failed over before this node noticed
		n.fo = &simFailover{at: s.now}
	}
	n.fo.done = true
	n.events = append(n.events, Event{Type: EventFailoverComplete, Time: s.now, Since: s.now.Sub(n.fo.at), Resent: n.fo.resent})
	cfg := n.ctl.cfg
	n.ctl = NewController(cfg, n.addrs)
	n.confirmed = []netip.Addr{to}
	s.after(s.pathRTT/2, func() {
		p.events = append(p.events, Event{Type: EventFirstData, Time: s.now})
	})
}
