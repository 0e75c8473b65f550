package fuzz

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	rswire "github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The mobile world: a registrar and two mobile nodes, A (index 0, the
// dialler) and B (index 1, a pool element that A dials by its handle),
// each with four addresses to move between.
var (
	mobRegAddr = netip.MustParseAddr("203.0.113.1")
	mobAddrs   = [2][4]netip.Addr{
		{netip.MustParseAddr("192.0.2.11"), netip.MustParseAddr("192.0.2.12"), netip.MustParseAddr("198.51.100.11"), netip.MustParseAddr("198.51.100.12")},
		{netip.MustParseAddr("192.0.2.21"), netip.MustParseAddr("192.0.2.22"), netip.MustParseAddr("198.51.100.21"), netip.MustParseAddr("198.51.100.22")},
	}
	mobNames   = [2]string{"A", "B"}
	mobPorts   = [2]uint16{7001, 7000}
	mobHandles = [2]string{"node-a", "node-b"}
)

const (
	mobOneWay   = 5 * time.Millisecond
	mobMaxSteps = 32
	mobMaxBurst = 16
	mobMaxSize  = 2040 // above the path MTU: big messages are fragmented
	// mobScriptTime bounds the virtual time the steps take; mobSettle
	// bounds the time after the network healed for every message to
	// arrive or the Conn to end at both nodes. The longest wait is
	// SCTP's own: an idle end whose peer vanished notices only when its
	// heartbeats (every 30 s) have failed Association.Max.Retrans (10)
	// times, after which it falls back after the handover deadline and
	// waits for the dialler's failover twice as long.
	mobScriptTime = 2 * time.Minute
	mobSettle     = 7 * time.Minute
	mobDeadline   = 15 * time.Second
)

// Script steps of FuzzMobileNodes, each an operation byte (modulo
// mobOps) and its arguments.
const (
	mobMoveA   = iota // address index, gap byte
	mobMoveB          // address index, gap byte
	mobMoveAB         // A's address index, B's, gap byte
	mobLinks          // loss byte, which links
	mobRestart        // registrar down time, in 100 ms
	mobBurst          // direction (A->B, B->A, both), count, size in 8 bytes
	mobWait           // in 100 ms
	mobOps
)

// FuzzMobileNodes drives two mobile nodes and a registrar on the
// simulated network through a script of moves (to which address, after
// which gap or with which overlap), loss on the links, registrar restarts
// and bursts of messages both ways. The first byte is the setup (see
// mobSetup): the symmetric setup or not, the recovery (re-attach or
// failover) and the resend buffer. The invariant is the Conn's contract:
// once the network heals, every message sent arrives exactly once, in
// order and intact, across every fallback and failover, unless the nodes
// concerned report the failure (Send or Recv fails, or
// EventFailoverFailed: the Conn ended); a Conn that ended at one node
// ends at the other too; the Conns' counters agree with what the
// application sent and received; never a panic, and never a hang, in
// virtual or in real time. No message arrives twice, out of order or
// damaged, failure or not.
func FuzzMobileNodes(f *testing.F) {
	for _, s := range mobileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		bubble(t, "mobile", input, func(t *testing.T, p *progress) { runMobile(t, p, input) })
	})
}

// mobileWorld is one run of FuzzMobileNodes.
type mobileWorld struct {
	t       *testing.T
	p       *progress
	n       *simnet.Network
	regHost *simnet.Host
	reg     *registrar.Registrar
	hosts   [2]*simnet.Host
	nodes   [2]*mobility.Node
	conns   [2]*mobility.Conn
	flows   [2]*flow // A->B, B->A
	logs    [2]*eventLog
	// failed: the node reported EventFailoverFailed, its Conn ended.
	// (EventFallback is no failure: the Conn fails over and goes on.)
	failed [2]atomic.Bool
	slept  time.Duration // virtual time the script let pass
}

// mobSetup is the first byte of a script: bit 0, A has a handle too (the
// symmetric setup); bit 1, RecoverFailover instead of the default
// RecoverReattach; bits 2-3, the resend buffer (the default, or 4, 16 or
// 64 messages: a small one makes Send wait for the peer's checkpoints,
// also while the Conn fails over).
type mobSetup struct {
	symmetric    bool
	recovery     mobility.Recovery
	resendBuffer int
}

func decodeSetup(b byte) mobSetup {
	s := mobSetup{symmetric: b&1 != 0, recovery: mobility.RecoverReattach}
	if b&2 != 0 {
		s.recovery = mobility.RecoverFailover
	}
	if k := b >> 2 & 3; k != 0 {
		s.resendBuffer = 1 << (2 * k)
	}
	return s
}

func runMobile(t *testing.T, p *progress, input []byte) {
	s := &script{b: input}
	w := newMobileWorld(t, p, decodeSetup(s.byte()))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait() // also after a failure: the bubble must end with no goroutine left
	defer cancel()
	for _, f := range w.flows {
		wg.Go(func() { f.send(ctx) })
		wg.Go(func() { f.receive(ctx) })
	}
	for i := 0; i < mobMaxSteps && len(s.b) > 0; i++ {
		w.step(i, s)
	}
	p.set("healing the network after the script")
	w.setLinks(mobLinkProps(0), 0)
	w.settle()
}

func newMobileWorld(t *testing.T, p *progress, setup mobSetup) *mobileWorld {
	n := simnet.New(1)
	t.Cleanup(n.Close)
	n.SetDefault(mobLinkProps(0))
	w := &mobileWorld{t: t, p: p, n: n, regHost: n.AddHost("registrar", mobRegAddr)}
	w.startRegistrar()
	t.Cleanup(func() { w.reg.Close() })
	handleA := ""
	if setup.symmetric {
		handleA = mobHandles[0]
	}
	w.nodes[1] = w.node(1, mobHandles[1], setup)
	w.nodes[0] = w.node(0, handleA, setup)
	w.dial()
	w.flows = [2]*flow{newFlow("A->B", w.conns[0], w.conns[1]), newFlow("B->A", w.conns[1], w.conns[0])}
	for i, c := range w.conns {
		w.logs[i] = logEvents(c.Events(), func(e mobility.Event) {
			if e.Type == mobility.EventFailoverFailed {
				w.failed[i].Store(true)
			}
		})
	}
	return w
}

// mobEndpoint is an endpoint configuration on h with short SCTP timers,
// as the mobility package's own tests use.
func mobEndpoint(h *simnet.Host, addr netip.Addr, port uint16) stack.Config {
	cfg := simstack.Config(h, addr, port)
	cfg.AddressHold = 50 * time.Millisecond
	return cfg
}

func (w *mobileWorld) startRegistrar() {
	r, err := registrar.Listen(registrar.Config{Endpoint: mobEndpoint(w.regHost, mobRegAddr, rswire.PortASAP)})
	if err != nil {
		w.t.Fatal(err)
	}
	w.reg = r
}

// node starts mobile node i on a host of its own and waits for its
// registration if it has a handle.
func (w *mobileWorld) node(i int, handle string, setup mobSetup) *mobility.Node {
	addr := mobAddrs[i][0]
	h := w.n.AddHost(mobNames[i], addr)
	w.hosts[i] = h
	cfg := mobEndpoint(h, addr, mobPorts[i])
	cfg.AddressWatcher = h.Watch()
	n, err := mobility.NewNode(mobility.Config{
		Handle:       rswire.PoolHandle(handle),
		Registrars:   []stack.Remote{{Addrs: []netip.Addr{mobRegAddr}, Port: rswire.PortASAP, UDPPort: rswire.PortASAP}},
		Endpoint:     cfg,
		Handover:     mobility.ControllerConfig{Deadline: mobDeadline, Recovery: setup.recovery},
		ResendBuffer: setup.resendBuffer,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { n.Close() })
	if handle != "" {
		w.waitRegistered(n)
	}
	return n
}

func (w *mobileWorld) waitRegistered(n *mobility.Node) {
	timeout := time.After(time.Minute)
	for {
		select {
		case e := <-n.Events():
			if e.Type == mobility.EventReregistered && e.Err == nil {
				return
			}
		case <-timeout:
			w.t.Fatal("setup: a node did not register within a minute")
		}
	}
}

// dial connects A to B by B's handle.
func (w *mobileWorld) dial() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	accepted := make(chan *mobility.Conn, 1)
	go func() {
		c, _ := w.nodes[1].Accept(ctx)
		accepted <- c
	}()
	ca, err := w.nodes[0].Dial(ctx, rswire.PoolHandle(mobHandles[1]))
	cb := <-accepted
	if err != nil || cb == nil {
		w.t.Fatalf("setup: dial %v, accepted %v", err, cb != nil)
	}
	w.conns = [2]*mobility.Conn{ca, cb}
	for _, c := range w.conns {
		w.t.Cleanup(func() { c.Close() })
	}
}

// sleep lets virtual time pass, within the script's budget.
func (w *mobileWorld) sleep(d time.Duration) {
	d = min(d, mobScriptTime-w.slept)
	w.slept += d
	time.Sleep(d)
}

// step performs one script step.
func (w *mobileWorld) step(i int, s *script) {
	op := s.byte() % mobOps
	switch op {
	case mobMoveA, mobMoveB:
		node := int(op - mobMoveA)
		to, gap := mobAddrs[node][s.byte()%4], s.byte()
		w.p.set("step %d: move %s to %v (gap byte %d)", i, mobNames[node], to, gap)
		w.move([]int{node}, []netip.Addr{to}, gap)
	case mobMoveAB:
		to, gap := []netip.Addr{mobAddrs[0][s.byte()%4], mobAddrs[1][s.byte()%4]}, s.byte()
		w.p.set("step %d: move A and B to %v (gap byte %d)", i, to, gap)
		w.move([]int{0, 1}, to, gap)
	case mobLinks:
		props, which := mobLinkProps(s.byte()), s.byte()%3
		w.p.set("step %d: links %d get %+v", i, which, props)
		w.setLinks(props, which)
	case mobRestart:
		down := time.Duration(s.byte()) * 100 * time.Millisecond
		w.p.set("step %d: registrar restart, down %v", i, down)
		w.reg.Close()
		w.sleep(down)
		w.startRegistrar()
	case mobBurst:
		dir, b := s.byte()%3, burst{count: 1 + int(s.byte()%mobMaxBurst), size: int(s.byte()) * 8}
		w.p.set("step %d: burst %d of %d bytes, direction %d", i, b.count, b.size, dir)
		for d, f := range w.flows {
			if dir == 2 || int(dir) == d {
				f.ask(b)
			}
		}
	case mobWait:
		d := time.Duration(s.byte()) * 100 * time.Millisecond
		w.p.set("step %d: wait %v", i, d)
		w.sleep(d)
	}
}

// move moves each node to its new address. An even gap byte breaks
// before it makes: the old addresses go, and the new one comes after
// gap/2 times 200 ms; an odd one makes before it breaks: the new address
// comes, and the old ones go after the overlap that encodes the same way
// (0: at once).
func (w *mobileWorld) move(nodes []int, to []netip.Addr, gap byte) {
	d := time.Duration(gap>>1) * 200 * time.Millisecond
	old := make([][]netip.Addr, len(nodes))
	for k, i := range nodes {
		old[k] = w.hosts[i].Addrs()
	}
	drop := func() {
		for k, i := range nodes {
			for _, a := range old[k] {
				if gap&1 == 0 || a != to[k] {
					w.hosts[i].RemoveAddr(a)
				}
			}
		}
	}
	add := func() {
		for k, i := range nodes {
			w.hosts[i].AddAddr(to[k])
		}
	}
	first, then := drop, add
	if gap&1 != 0 {
		first, then = add, drop
	}
	first()
	w.sleep(d)
	then()
}

// mobLinkProps decodes a link byte: loss in steps of 5 % up to 50 %
// (the low nibble), 5 % duplicates (bit 4), 5 % reordered by 20 ms
// (bit 5).
func mobLinkProps(b byte) simnet.LinkProps {
	p := simnet.LinkProps{Delay: mobOneWay, Loss: float64(b&0xf%11) * 0.05}
	if b&0x10 != 0 {
		p.Duplicate = 0.05
	}
	if b&0x20 != 0 {
		p.Reorder, p.ReorderDelay = 0.05, 20*time.Millisecond
	}
	return p
}

// setLinks gives props to the links of the world: which is 0 for all of
// them, 1 for those between the nodes and the registrar, 2 for those
// between the two nodes.
func (w *mobileWorld) setLinks(props simnet.LinkProps, which byte) {
	for _, a := range append(mobAddrs[0][:], mobAddrs[1][:]...) {
		if which != 2 {
			w.n.SetLinkBoth(mobRegAddr, a, props)
		}
	}
	if which == 1 {
		return
	}
	for _, a := range mobAddrs[0] {
		for _, b := range mobAddrs[1] {
			w.n.SetLinkBoth(a, b, props)
		}
	}
}

// settle waits until every message arrived and the peer reported it
// delivered, or the ends that were to send or receive it told their
// application that the Conn ended. It fails the test on a broken promise,
// and on a hang when neither happened within mobSettle of virtual time.
func (w *mobileWorld) settle() {
	start := time.Now()
	for {
		s := [2]flowState{w.flows[0].state(), w.flows[1].state()}
		for d, f := range s {
			if f.violation != "" {
				w.t.Fatalf("%s: %s (%v)\n%s", w.flows[d].name, f.violation, f, w.report())
			}
		}
		if w.finished(s, 0) && w.finished(s, 1) && w.noHalfOpen(s) && w.checkpointed(s) {
			w.checkStats(s)
			return
		}
		if time.Since(start) > mobSettle {
			w.t.Fatalf("hang: %v of virtual time after the network healed, the messages neither arrived (and were checkpointed) nor failed\n%s", mobSettle, w.report())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// gaveUp reports whether node i told its application that its Conn
// ended: Send or Recv failed (flow i is the one i sends, flow 1-i the
// one it receives), or EventFailoverFailed.
func (w *mobileWorld) gaveUp(s [2]flowState, i int) bool {
	return s[i].sendErr != nil || s[1-i].recvErr != nil || w.failed[i].Load()
}

// finished reports whether flow d is over: its sender sent everything
// asked for or gave up, and its receiver got everything sent or gave up.
func (w *mobileWorld) finished(s [2]flowState, d int) bool {
	f := s[d]
	return (f.sent == f.asked || w.gaveUp(s, d)) && (f.got == f.sent || w.gaveUp(s, 1-d))
}

// noHalfOpen: a Conn that ended at one node ended at the other too.
func (w *mobileWorld) noHalfOpen(s [2]flowState) bool {
	return w.gaveUp(s, 0) == w.gaveUp(s, 1)
}

// checkpointed: while the Conn lives, every message delivered is
// eventually reported delivered, so that neither end keeps any for
// resending (a leak would fill the resend buffer and stop Send).
func (w *mobileWorld) checkpointed(s [2]flowState) bool {
	if w.gaveUp(s, 0) || w.gaveUp(s, 1) {
		return true
	}
	return w.conns[0].Stats().Unacked == 0 && w.conns[1].Stats().Unacked == 0
}

// checkStats fails the test when a live Conn's counters disagree with
// what its application sent and received.
func (w *mobileWorld) checkStats(s [2]flowState) {
	if w.gaveUp(s, 0) || w.gaveUp(s, 1) {
		return
	}
	for i, c := range w.conns {
		st := c.Stats()
		if st.Sent != uint64(s[i].sent) || st.Delivered != uint64(s[1-i].got) {
			w.t.Fatalf("%s counts %d sent and %d delivered, its application sent %d and received %d\n%s",
				mobNames[i], st.Sent, st.Delivered, s[i].sent, s[1-i].got, w.report())
		}
	}
}

// report describes the world for a failure message.
func (w *mobileWorld) report() string {
	var b strings.Builder
	for i, f := range w.flows {
		fmt.Fprintf(&b, "%s: %v\n", f.name, f.state())
		fmt.Fprintf(&b, "%s at %v: %+v, failover failed %v, %s\n  events: %s\n", mobNames[i], w.hosts[i].Addrs(),
			w.conns[i].Stats(), w.failed[i].Load(), describeAssociation(w.conns[i].Association()), w.logs[i])
	}
	return b.String()
}

// describeAssociation says in which state a Conn's association is.
func describeAssociation(a *stack.Association) string {
	if a == nil {
		return "no association (failing over)"
	}
	return fmt.Sprintf("association %s, paths %+v", a.Stats().State, a.Paths())
}
