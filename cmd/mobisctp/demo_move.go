package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The main job: two mobile nodes and a registrar in one process, on the
// simulated network (in real time). Both nodes send a message every
// moveInterval; at moveAt both lose their only address at the same
// instant, and get a new one moveGap later. Neither can tell the other
// where it went; each re-registers, resolves the other's handle and
// re-attaches the same association.
const (
	moveMessages = 300
	moveInterval = 10 * time.Millisecond
	moveAt       = time.Second
	moveGap      = time.Second
	moveOneWay   = 5 * time.Millisecond
	moveSize     = 200
	moveSetup    = 5 * time.Second  // bounds the registrations and the dial
	moveDrain    = 30 * time.Second // bounds the wait for the last message
	movePortA    = 7001
	movePortB    = 7000
)

var (
	moveRegistrar = netip.MustParseAddr("192.0.2.1")
	moveA1        = netip.MustParseAddr("192.0.2.11")
	moveA2        = netip.MustParseAddr("198.51.100.11")
	moveB1        = netip.MustParseAddr("192.0.2.21")
	moveB2        = netip.MustParseAddr("198.51.100.21")
)

// runDemoCommand runs the mobility demo, or with "pool" the pool failover
// demo.
func runDemoCommand(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "pool" {
		return runDemo(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "mobisctp demo", "[--svg FILE] | pool [--json]")
	svg := fs.String("svg", "handover.svg", "where to write the timeline plot (empty: none)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := runMoveDemo(ctx, e, *svg); err != nil {
		fmt.Fprintf(e.stderr, "mobisctp demo: %v\n", err)
		return exitFail
	}
	return exitOK
}

// moveWorld is the demo's network, registrar and nodes.
type moveWorld struct {
	n      *simnet.Network
	hosts  map[string]*simnet.Host
	reg    stack.Remote
	closer []func() error
}

func (w *moveWorld) close() {
	for _, c := range slices.Backward(w.closer) {
		c()
	}
	w.n.Close()
}

// endpoint is the configuration of an endpoint on h at addr: short SCTP
// timers, as in the pool demo, and a short hold of deleted addresses.
func (w *moveWorld) endpoint(h *simnet.Host, addr netip.Addr, port uint16) stack.Config {
	cfg := simstack.Config(h, addr, port)
	cfg.AddressHold = 50 * time.Millisecond
	return cfg
}

func newMoveWorld() (*moveWorld, error) {
	w := &moveWorld{n: simnet.New(1), hosts: map[string]*simnet.Host{}}
	w.n.SetDefault(simnet.LinkProps{Delay: moveOneWay})
	h := w.n.AddHost("registrar", moveRegistrar)
	r, err := registrar.Listen(registrar.Config{Endpoint: w.endpoint(h, moveRegistrar, wire.PortASAP)})
	if err != nil {
		w.close()
		return nil, err
	}
	w.closer = append(w.closer, r.Close)
	w.reg = stack.Remote{Addrs: []netip.Addr{moveRegistrar}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
	return w, nil
}

// node starts a mobile node named name (its handle is "node-" + name).
func (w *moveWorld) node(name string, addr netip.Addr, port uint16) (*mobility.Node, error) {
	h := w.n.AddHost(name, addr)
	w.hosts[name] = h
	cfg := w.endpoint(h, addr, port)
	cfg.AddressWatcher = &simWatcher{h: h}
	n, err := mobility.NewNode(mobility.Config{Handle: wire.PoolHandle("node-" + name), Registrars: []stack.Remote{w.reg}, Endpoint: cfg})
	if err != nil {
		return nil, err
	}
	w.closer = append(w.closer, n.Close)
	return n, nil
}

// simWatcher reports a simulated host's addresses when they change,
// looking every 10 ms (a host's netlink watcher, simulated).
type simWatcher struct {
	h    *simnet.Host
	last []netip.Addr
}

func (s *simWatcher) Next(ctx context.Context) ([]netip.Addr, error) {
	for {
		if now := s.h.Addrs(); s.last == nil || !slices.Equal(now, s.last) {
			s.last = now
			return now, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// watchTags feeds the packets of the simulated network to a tagWatch.
func watchTags(n *simnet.Network) *tagWatch {
	w := newTagWatch()
	n.OnPacket(func(_ time.Time, _, _ netip.AddrPort, data []byte, _ simnet.Fate) { w.note(data) })
	return w
}

// direction is one direction of the transfer.
type direction struct {
	name     string
	from, to *mobility.Conn
	sent     hash.Hash
	got      hash.Hash
	arrivals []time.Time
	err      error
}

func (d *direction) send(ctx context.Context) {
	msg := make([]byte, moveSize)
	for i := range moveMessages {
		binary.BigEndian.PutUint64(msg, uint64(i))
		if err := d.from.Send(ctx, msg, 1); err != nil {
			d.err = fmt.Errorf("%s: message %d: %w", d.name, i, err)
			return
		}
		d.sent.Write(msg)
		time.Sleep(moveInterval)
	}
}

func (d *direction) receive(ctx context.Context, tl *mobility.Timeline) {
	buf := make([]byte, 2*moveSize)
	for i := range moveMessages {
		n, _, err := d.to.Recv(ctx, buf)
		if err != nil {
			d.err = errors.Join(d.err, fmt.Errorf("%s: after %d messages: %w", d.name, i, err))
			return
		}
		if got := binary.BigEndian.Uint64(buf); got != uint64(i) {
			d.err = fmt.Errorf("%s: message %d is number %d", d.name, i, got)
			return
		}
		d.got.Write(buf[:n])
		now := time.Now()
		d.arrivals = append(d.arrivals, now)
		if tl != nil {
			tl.Delivered(now, n)
		}
	}
}

// labelled is an event of one node.
type labelled struct {
	who string
	ev  mobility.Event
}

func runMoveDemo(ctx context.Context, e *env, svgPath string) error {
	w, err := newMoveWorld()
	if err != nil {
		return err
	}
	defer w.close()
	tags := watchTags(w.n)
	b, err := w.node("b", moveB1, movePortB)
	if err != nil {
		return err
	}
	a, err := w.node("a", moveA1, movePortA)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, moveSetup)
	defer cancel()
	accepted := make(chan *mobility.Conn, 1)
	go func() {
		c, _ := b.Accept(sctx)
		accepted <- c
	}()
	ca, err := dialWhenRegistered(sctx, a, "node-b")
	if err != nil {
		return err
	}
	defer ca.Close()
	cb := <-accepted
	if cb == nil {
		return errors.New("node b accepted no association")
	}
	defer cb.Close()
	_, before := tags.snapshot(movePortA, movePortB)

	start := time.Now()
	fmt.Fprintf(e.stdout, "two mobile nodes, a registrar; %d messages each way, one every %v; both lose their address at %v and get a new one %v later\n",
		moveMessages, moveInterval, moveAt, moveGap)
	tl := mobility.NewTimeline(start)
	var evMu sync.Mutex
	var events []labelled
	collect := func(who string, ch <-chan mobility.Event) {
		for ev := range ch {
			evMu.Lock()
			events = append(events, labelled{who, ev})
			evMu.Unlock()
			tl.Event(ev)
		}
	}
	var bg sync.WaitGroup
	bg.Go(func() { collect("a", ca.Events()) })
	bg.Go(func() { collect("b", cb.Events()) })

	var newAt time.Time
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(moveAt)
		w.hosts["a"].RemoveAddr(moveA1)
		w.hosts["b"].RemoveAddr(moveB1)
		time.Sleep(moveGap)
		w.hosts["a"].AddAddr(moveA2)
		w.hosts["b"].AddAddr(moveB2)
		newAt = time.Now()
	}()
	dctx, dcancel := context.WithTimeout(ctx, moveDrain)
	defer dcancel()
	dirs := []*direction{
		{name: "a->b", from: ca, to: cb, sent: sha256.New(), got: sha256.New()},
		{name: "b->a", from: cb, to: ca, sent: sha256.New(), got: sha256.New()},
	}
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Go(func() { d.send(dctx) })
		plot := tl
		if i > 0 {
			plot = nil // the plot shows a->b
		}
		wg.Go(func() { d.receive(dctx, plot) })
	}
	wg.Wait()
	<-moved
	inits, after := tags.snapshot(movePortA, movePortB)
	ca.Close()
	cb.Close()
	bg.Wait()

	printTimeline(e, start, events)
	return summarize(e, start, newAt, dirs, tl, svgPath, before, after, inits)
}

// dialWhenRegistered dials peer once it has registered (the nodes start
// at the same time). A node that has a Conn with peer already fails at
// once: waiting would not change that.
func dialWhenRegistered(ctx context.Context, n *mobility.Node, peer string) (*mobility.Conn, error) {
	for {
		c, err := n.Dial(ctx, wire.PoolHandle(peer))
		if err == nil {
			return c, nil
		}
		if errors.Is(err, stack.ErrAssociated) {
			return nil, fmt.Errorf("dial %s: %w", peer, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("dial %s: %w", peer, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func printTimeline(e *env, start time.Time, events []labelled) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].ev.Time.Before(events[j].ev.Time) })
	fmt.Fprintln(e.stdout, "timeline:")
	for _, l := range events {
		fmt.Fprintf(e.stdout, "  %8.3fs  node %s  %v\n", l.ev.Time.Sub(start).Seconds(), l.who, l.ev)
	}
}

func summarize(e *env, start, newAt time.Time, dirs []*direction, tl *mobility.Timeline, svgPath string,
	before, after []uint32, inits int) error {
	var errs []error
	for _, d := range dirs {
		if d.err != nil {
			errs = append(errs, d.err)
			continue
		}
		rec := time.Duration(-1)
		for _, at := range d.arrivals {
			if !at.Before(newAt) {
				rec = at.Sub(newAt)
				break
			}
		}
		same := slices.Equal(d.sent.Sum(nil), d.got.Sum(nil))
		lost := moveMessages - len(d.arrivals)
		fmt.Fprintf(e.stdout, "%s: %d messages sent, %d delivered in order, %d lost, SHA-256 equal %v; first message %v after the new addresses appeared\n",
			d.name, moveMessages, len(d.arrivals), lost, same, rec.Round(time.Millisecond))
		if !same || lost > 0 {
			errs = append(errs, fmt.Errorf("%s: data differs", d.name))
		}
	}
	sameAssoc := sameAssociation(before, after, inits)
	fmt.Fprintf(e.stdout, "same association: %v (verification tags %08x before the move, %08x after; %d INIT in all)\n",
		sameAssoc, before, after, inits)
	if !sameAssoc {
		errs = append(errs, errors.New("the association changed"))
	}
	if from, stall := tl.LongestStall(); stall > 0 {
		fmt.Fprintf(e.stdout, "longest stall a->b: %v from %.3fs\n", stall.Round(time.Millisecond), from.Seconds())
	}
	if svgPath != "" {
		if err := writeSVG(tl, svgPath); err != nil {
			errs = append(errs, err)
		} else {
			fmt.Fprintf(e.stdout, "timeline plot: %s\n", svgPath)
		}
	}
	return errors.Join(errs...)
}

func writeSVG(tl *mobility.Timeline, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tl.WriteSVG(f, "both nodes move at once (a->b)"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
