package mobility

import (
	"net/netip"
	"slices"
	"sort"
	"testing"
	"time"
)

// sim is a discrete-event world in virtual time for two Controllers: a
// registrar (a handle -> addresses table), and a network on which a packet
// arrives half a round trip after it was sent if its destination still
// holds the address, and an answer is accepted only if its sender still
// holds the address it was sent from. It stands in for the stack: an
// ASCONF that reaches the peer makes the peer add the sender's addresses
// and confirm a path to them by heartbeat, and the sender confirm a path
// to the peer's address once the acknowledgement arrived.
type sim struct {
	t               testing.TB
	now             time.Time
	queue           []simEvent
	seq             int
	regRTT, pathRTT time.Duration
	registry        map[string][]netip.Addr
	forged          map[string][]netip.Addr // added to answers by a forger
	nodes           []*simNode
	recovery        Recovery // of the nodes' controllers; RecoverFailover: they fail over (sim_failover_test.go)
}

type simEvent struct {
	at  time.Time
	seq int
	do  func()
}

type simNode struct {
	s          *sim
	name       string
	handle     string // registered under it; "" for a pool user
	peerHandle string // resolves it; "" if the peer is a pool user
	addrs      []netip.Addr
	peer       *simNode
	ctl        *Controller
	tickAt     time.Time
	events     []Event
	actions    map[ActionType]int
	confirmed  []netip.Addr // peer addresses with a confirmed path
	fellBack   bool
	fo         *simFailover // the failover after a fallback, nil before
	lostAt     time.Time    // when the node last lost every address
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newSim(t testing.TB, regRTT, pathRTT time.Duration) *sim {
	return &sim{t: t, now: epoch, regRTT: regRTT, pathRTT: pathRTT,
		registry: map[string][]netip.Addr{}, forged: map[string][]netip.Addr{}}
}

// node adds a node at addr with an established association (the caller
// pairs nodes with connect).
func (s *sim) node(name string, addr netip.Addr, handle string, cfg ControllerConfig) *simNode {
	cfg.Registered = handle != ""
	cfg.Recovery = s.recovery
	n := &simNode{s: s, name: name, handle: handle, addrs: []netip.Addr{addr}, actions: map[ActionType]int{}}
	n.ctl = NewController(cfg, n.addrs)
	if handle != "" {
		s.registry[handle] = []netip.Addr{addr}
	}
	s.nodes = append(s.nodes, n)
	return n
}

func connect(a, b *simNode) {
	a.peer, b.peer = b, a
	a.confirmed, b.confirmed = slices.Clone(b.addrs), slices.Clone(a.addrs)
	if b.handle != "" {
		a.peerHandle = b.handle
	}
	if a.handle != "" {
		b.peerHandle = a.handle
	}
}

func (s *sim) at(at time.Time, do func()) {
	s.seq++
	s.queue = append(s.queue, simEvent{at: at, seq: s.seq, do: do})
	sort.Slice(s.queue, func(i, j int) bool {
		if !s.queue[i].at.Equal(s.queue[j].at) {
			return s.queue[i].at.Before(s.queue[j].at)
		}
		return s.queue[i].seq < s.queue[j].seq
	})
}

func (s *sim) after(d time.Duration, do func()) { s.at(s.now.Add(d), do) }

// run processes events until virtual time end; bounded.
func (s *sim) run(end time.Time) {
	for i := 0; len(s.queue) > 0 && !s.queue[0].at.After(end); i++ {
		if i > 100000 {
			s.t.Fatal("simulation does not settle")
		}
		e := s.queue[0]
		s.queue = s.queue[1:]
		s.now = e.at
		e.do()
	}
	s.now = end
}

// move takes every address of n away at from, and gives it to at the end
// of the gap.
func (n *simNode) move(from time.Time, gap time.Duration, to netip.Addr) {
	n.s.at(from, func() {
		n.addrs, n.confirmed, n.lostAt = nil, nil, n.s.now
		n.apply(n.ctl.OwnAddrs(n.s.now, nil))
	})
	n.s.at(from.Add(gap), func() {
		n.addrs = []netip.Addr{to}
		n.apply(n.ctl.OwnAddrs(n.s.now, n.addrs))
		n.gainedDuringFailover()
	})
}

func (n *simNode) holds(a netip.Addr) bool { return slices.Contains(n.addrs, a) }

// apply carries out a controller's actions, then re-arms its timer.
func (n *simNode) apply(acts []Action) {
	s := n.s
	for _, a := range slices.Clone(acts) {
		n.actions[a.Type]++
		switch a.Type {
		case ActEmit:
			n.events = append(n.events, a.Event)
		case ActFallback:
			n.fellBack = true
			n.failover(a.Event)
		case ActReregister:
			addrs := a.Addrs
			s.after(s.regRTT/2, func() { s.registry[n.handle] = addrs })
			s.after(s.regRTT, func() { n.apply(n.ctl.Reregistered(s.now, addrs, nil)) })
		case ActResolvePeer:
			s.after(s.regRTT/2, func() {
				got := append(slices.Clone(s.forged[n.peerHandle]), s.registry[n.peerHandle]...)
				s.after(s.regRTT/2, func() { n.apply(n.ctl.Resolved(s.now, got, nil)) })
			})
		case ActSendReattach:
			n.sendReattach(a.To, a.Addrs)
		}
	}
	if next := n.ctl.Next(); !next.IsZero() && !next.Equal(n.tickAt) {
		n.tickAt = next
		s.at(next, func() {
			if n.tickAt.Equal(next) {
				n.tickAt = time.Time{}
				n.apply(n.ctl.Tick(s.now))
			}
		})
	}
}

// sendReattach sends the ASCONF from n's first address to to.
func (n *simNode) sendReattach(to netip.Addr, added []netip.Addr) {
	s, src, p := n.s, n.addrs[0], n.peer
	s.after(s.pathRTT/2, func() {
		if !p.holds(to) {
			return // lost, or a forged address: nobody answers
		}
		s.after(s.pathRTT, func() { p.confirm(src, to) }) // p's heartbeat to the new address
		s.after(s.pathRTT/2, func() {
			if !n.holds(src) {
				return
			}
			n.apply(n.ctl.ASCONFAcked(s.now, to, nil))
			s.after(s.pathRTT, func() { n.confirm(to, src) })
		})
	})
}

// confirm confirms n's path to peer address addr from local address from,
// if both ends still hold them, and starts n's data flow on it.
func (n *simNode) confirm(addr, from netip.Addr) {
	if !n.holds(from) || !n.peer.holds(addr) || slices.Contains(n.confirmed, addr) {
		return
	}
	n.confirmed = append(n.confirmed, addr)
	n.apply(n.ctl.PathConfirmed(n.s.now, addr))
	p := n.peer
	n.s.after(n.s.pathRTT/2, func() { p.apply(p.ctl.DataReceived(n.s.now)) })
}

// first returns the first event of type typ, and whether there is one.
func (n *simNode) first(typ EventType) (Event, bool) {
	for _, e := range n.events {
		if e.Type == typ {
			return e, true
		}
	}
	return Event{}, false
}

func (n *simNode) count(typ EventType) int {
	c := 0
	for _, e := range n.events {
		if e.Type == typ {
			c++
		}
	}
	return c
}

func (n *simNode) log(t *testing.T) {
	t.Helper()
	for _, e := range n.events {
		t.Logf("%s %8v %v", n.name, e.Time.Sub(epoch), e)
	}
}
