package fuzz

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	rswire "github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The peer world: three registrars that peer over ENRP, and pool elements
// (asap.Element) on hosts of their own that register at them.
const (
	peerRegistrars  = 3
	peerMaxElements = 6
	peerPools       = 2
	peerMaxSteps    = 24
	peerElementPort = 7000
	peerOneWay      = 5 * time.Millisecond
	// peerScriptTime bounds the virtual time the steps let pass;
	// peerSettle bounds the time after the network healed for the tables
	// to agree: an element's registration life (90 s) with slack, so
	// that even an entry no protocol message removes must be gone.
	// peerSteady is when they must agree again: later than a crashed
	// element's removal, which may come a keep-alive interval and
	// timeout (10 s) after a registration it sent just before it
	// crashed, and that was still in flight when the tables first
	// agreed.
	peerScriptTime = 2 * time.Minute
	peerSettle     = 3 * time.Minute
	peerSteady     = 20 * time.Second
)

// Script steps of FuzzRegistrarPeers, each an operation byte (modulo
// peerOps) and its arguments.
const (
	peerRegister   = iota // pool, first registrar of the element's list
	peerDeregister        // element (Close: it deregisters)
	peerCrash             // element (it loses its address, then closes)
	peerKill              // registrar
	peerRestart           // registrar (bit 7: with a new server ID), empty table
	peerPartition         // two bytes: bit i the side of registrar i, bit 3+j that of element j
	peerHeal              // no argument
	peerLoss              // loss on every link, in steps of 10 % (modulo 6)
	peerWait              // in 100 ms
	peerOps
)

func peerRegAddr(i int) netip.Addr { return netip.AddrFrom4([4]byte{203, 0, 113, 101 + byte(i)}) }

func peerElemAddr(j int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, 0, 1 + byte(j)}) }

// FuzzRegistrarPeers drives three registrars that peer over ENRP, and
// the pool elements that register at them, through a script of
// registrations, deregistrations, element crashes, registrar kills and
// restarts (with the same server ID or a new one), partitions of the
// network and loss on its links. The first byte sets the setup
// (bit 0: every registrar knows the two others; otherwise each knows only
// those started before it). The invariant: after the network heals (and
// a registrar restarts if none is left), every running registrar holds
// the same table, the same owner for each element, an owner that runs,
// and exactly the elements alive; never a panic or a hang.
func FuzzRegistrarPeers(f *testing.F) {
	for _, s := range peerSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		bubble(t, "registrar peers", input, func(t *testing.T, p *progress) { runPeers(t, p, input) })
	})
}

// peerWorld is one run of FuzzRegistrarPeers.
type peerWorld struct {
	t     *testing.T
	p     *progress
	n     *simnet.Network
	mesh  bool
	hosts [peerRegistrars]*simnet.Host
	regs  [peerRegistrars]*registrar.Registrar // nil while killed
	ids   [peerRegistrars]rswire.ServerID
	logs  [peerRegistrars]*eventLog // of the registrar running now
	sides uint16                    // the partition in place
	loss  float64                   // on every link
	elems []*poolElement
	slept time.Duration
	bg    sync.WaitGroup // crashed elements closing
}

// poolElement is one element of the world.
type poolElement struct {
	host   *simnet.Host
	ep     *stack.Endpoint
	el     *asap.Element
	handle string
	log    *eventLog
	live   bool // neither deregistered nor crashed
}

func (e *poolElement) key() string { return fmt.Sprintf("%s/%d", e.handle, e.el.ID()) }

func runPeers(t *testing.T, p *progress, input []byte) {
	s := &script{b: input}
	w := &peerWorld{t: t, p: p, n: simnet.New(1), mesh: s.byte()&1 != 0}
	t.Cleanup(w.n.Close)
	w.n.SetDefault(simnet.LinkProps{Delay: peerOneWay})
	t.Cleanup(w.close)
	for i := range peerRegistrars {
		w.hosts[i] = w.n.AddHost(fmt.Sprintf("registrar-%d", i+1), peerRegAddr(i))
		w.ids[i] = rswire.ServerID(i + 1)
		w.start(i)
	}
	for i := 0; i < peerMaxSteps && len(s.b) > 0; i++ {
		w.step(i, s)
	}
	p.set("healing the network after the script")
	w.sides, w.loss = 0, 0
	w.setLinks()
	if !slices.ContainsFunc(w.regs[:], func(r *registrar.Registrar) bool { return r != nil }) {
		w.start(0)
	}
	w.settle()
}

// start starts registrar i with its server ID and an empty table.
func (w *peerWorld) start(i int) {
	h := w.hosts[i]
	cfg := registrar.Config{ServerID: w.ids[i]}
	cfg.Endpoint.LocalAddrs = h.Addrs()
	cfg.Endpoint.PacketConn = func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(registrar.DefaultUDPPort, hd) }
	cfg.ENRP.Port = registrar.DefaultENRPPort
	cfg.ENRP.PacketConn = func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(int(registrar.DefaultENRPPort), hd) }
	for k := range peerRegistrars {
		if k < i || w.mesh && k != i {
			cfg.ENRP.Peers = append(cfg.ENRP.Peers, stack.Remote{Addrs: []netip.Addr{peerRegAddr(k)}, Port: registrar.DefaultENRPPort})
		}
	}
	r, err := registrar.Listen(cfg)
	if err != nil {
		w.t.Fatalf("registrar %d: %v", i+1, err)
	}
	w.regs[i], w.logs[i] = r, logEvents(r.Events(), nil)
}

func (w *peerWorld) kill(i int) {
	if w.regs[i] != nil {
		w.regs[i].Close()
		w.regs[i] = nil
	}
}

// close ends the run: the elements, then the registrars.
func (w *peerWorld) close() {
	for _, e := range w.elems {
		if e.live {
			e.el.Close()
			e.ep.Close()
		}
	}
	w.bg.Wait()
	for i := range w.regs {
		w.kill(i)
	}
}

// step performs one script step.
func (w *peerWorld) step(i int, s *script) {
	op := s.byte() % peerOps
	switch op {
	case peerRegister:
		pool, first := int(s.byte()%peerPools), int(s.byte()%peerRegistrars)
		w.p.set("step %d: element %d joins pool %d at registrar %d first", i, len(w.elems), pool, first+1)
		w.register(pool, first)
	case peerDeregister, peerCrash:
		e := w.liveElement(s.byte())
		w.p.set("step %d: element %v leaves (crash: %v)", i, e != nil, op == peerCrash)
		if e != nil {
			w.leave(e, op == peerCrash)
		}
	case peerKill, peerRestart:
		b := s.byte()
		r, fresh := int(b%peerRegistrars), b&0x80 != 0
		w.p.set("step %d: registrar %d stops (restart: %v, new ID: %v)", i, r+1, op == peerRestart, fresh)
		w.kill(r)
		if op == peerRestart {
			if fresh {
				w.ids[r] += peerRegistrars // IDs stay distinct: each is its registrar's index+1 modulo 3
			}
			w.start(r)
		}
	case peerPartition:
		w.sides = uint16(s.byte())<<8 | uint16(s.byte())
		w.p.set("step %d: partition %09b", i, w.sides&0x1ff)
		w.setLinks()
	case peerHeal:
		w.p.set("step %d: heal", i)
		w.sides = 0
		w.setLinks()
	case peerLoss:
		w.loss = float64(s.byte()%6) * 0.1
		w.p.set("step %d: loss %v", i, w.loss)
		w.setLinks()
	case peerWait:
		d := min(time.Duration(s.byte())*100*time.Millisecond, peerScriptTime-w.slept)
		w.p.set("step %d: wait %v", i, d)
		w.slept += d
		time.Sleep(d)
	}
}

// register starts a new element in pool, with the registrars in the
// order that starts with first.
func (w *peerWorld) register(pool, first int) {
	j := len(w.elems)
	if j == peerMaxElements {
		return
	}
	addr := peerElemAddr(j)
	h := w.n.AddHost(fmt.Sprintf("pe-%d", j), addr)
	ep, err := asap.ElementEndpoint(stack.Config{LocalAddrs: []netip.Addr{addr}, Port: peerElementPort, NoDelay: true,
		PacketConn: func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(peerElementPort, hd) }})
	if err != nil {
		w.t.Fatal(err)
	}
	var regs []stack.Remote
	for k := range peerRegistrars {
		i := (first + k) % peerRegistrars
		regs = append(regs, stack.Remote{Addrs: []netip.Addr{peerRegAddr(i)}, Port: registrar.DefaultPort, UDPPort: registrar.DefaultUDPPort})
	}
	handle := fmt.Sprintf("pool-%d", pool)
	el, err := asap.NewElement(ep, asap.ElementConfig{Handle: rswire.PoolHandle(handle), ID: rswire.PEID(j + 1), Registrars: regs})
	if err != nil {
		w.t.Fatal(err)
	}
	w.elems = append(w.elems, &poolElement{host: h, ep: ep, el: el, handle: handle, log: logEvents(el.Events(), nil), live: true})
}

// liveElement picks a live element by b, or nil if none is.
func (w *peerWorld) liveElement(b byte) *poolElement {
	var live []*poolElement
	for _, e := range w.elems {
		if e.live {
			live = append(live, e)
		}
	}
	if len(live) == 0 {
		return nil
	}
	return live[int(b)%len(live)]
}

// leave ends an element: a graceful one deregisters, a crashed one
// loses its address first, so that nothing it sends arrives, and its
// registrars must notice by themselves.
func (w *peerWorld) leave(e *poolElement, crash bool) {
	e.live = false
	if !crash {
		e.el.Close()
		e.ep.Close()
		return
	}
	for _, a := range e.host.Addrs() {
		e.host.RemoveAddr(a)
	}
	w.bg.Go(func() {
		e.el.Close()
		e.ep.Close()
	})
}

// setLinks gives every link the loss in place, and cuts those between
// the hosts on different sides of the partition: bit i of w.sides is
// registrar i's side, bit 3+j element j's.
func (w *peerWorld) setLinks() {
	var addrs []netip.Addr
	for i := range peerRegistrars {
		addrs = append(addrs, peerRegAddr(i))
	}
	for j := range peerMaxElements {
		addrs = append(addrs, peerElemAddr(j))
	}
	side := func(k int) bool { return w.sides&(1<<k) != 0 }
	for a := range addrs {
		for b := a + 1; b < len(addrs); b++ {
			w.n.SetLinkBoth(addrs[a], addrs[b], simnet.LinkProps{Delay: peerOneWay, Loss: w.loss, Down: side(a) != side(b)})
		}
	}
}

// view is a registrar's table: element -> its owner.
func view(r *registrar.Registrar) map[string]rswire.ServerID {
	out := map[string]rswire.ServerID{}
	for _, p := range r.Table().Pools {
		for _, e := range p.Elements {
			out[fmt.Sprintf("%s/%d", p.Handle, e.ID)] = e.HomeServer
		}
	}
	return out
}

// disagreement says how the running registrars' tables break the
// invariant; "" if they do not.
func (w *peerWorld) disagreement() string {
	live := map[string]bool{}
	for _, e := range w.elems {
		if e.live {
			live[e.key()] = true
		}
	}
	running := map[rswire.ServerID]bool{}
	for _, r := range w.regs {
		if r != nil {
			running[r.ServerID()] = true
		}
	}
	var ref map[string]rswire.ServerID
	for _, r := range w.regs {
		if r == nil {
			continue
		}
		v := view(r)
		if ref != nil && !maps.Equal(ref, v) {
			return "the tables differ"
		}
		ref = v
		for k, owner := range v {
			switch {
			case !live[k]:
				return fmt.Sprintf("registrar %d holds %s, which is not alive", r.ServerID(), k)
			case !running[owner]:
				return fmt.Sprintf("registrar %d holds %s owned by registrar %d, which does not run", r.ServerID(), k, owner)
			}
		}
		for k := range live {
			if _, ok := v[k]; !ok {
				return fmt.Sprintf("registrar %d lacks %s, which is alive", r.ServerID(), k)
			}
		}
	}
	return ""
}

// settle waits until the tables agree, and checks that they agree again
// peerSteady later.
func (w *peerWorld) settle() {
	start := time.Now()
	for d := w.disagreement(); d != ""; d = w.disagreement() {
		if time.Since(start) > peerSettle {
			w.t.Fatalf("%v after the network healed: %s\n%s", peerSettle, d, w.report())
		}
		time.Sleep(250 * time.Millisecond)
	}
	w.p.set("tables agree after %v; checking that they stay so", time.Since(start))
	time.Sleep(peerSteady)
	if d := w.disagreement(); d != "" {
		w.t.Fatalf("the tables agreed %v after the network healed, then not %v later: %s\n%s", time.Since(start)-peerSteady, peerSteady, d, w.report())
	}
}

// report describes the world for a failure message.
func (w *peerWorld) report() string {
	var b strings.Builder
	for i, r := range w.regs {
		if r == nil {
			fmt.Fprintf(&b, "registrar %d: not running\n", i+1)
			continue
		}
		v := view(r)
		keys := slices.Sorted(maps.Keys(v))
		fmt.Fprintf(&b, "registrar %d (ID %d):", i+1, w.ids[i])
		for _, k := range keys {
			fmt.Fprintf(&b, " %s@%d", k, v[k])
		}
		fmt.Fprintf(&b, "; peers %+v\n  events: %s\n", r.Peers(), w.logs[i])
	}
	for _, e := range w.elems {
		fmt.Fprintf(&b, "element %s (live %v): %s\n", e.key(), e.live, e.log)
	}
	return b.String()
}
