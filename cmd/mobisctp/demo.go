package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The demo's script: a registrar, three echo elements and a pool user
// sending a message every demoInterval; the element serving the user dies
// after demoKillAfter messages.
const (
	demoPool      = "EchoPool"
	demoMessages  = 80
	demoInterval  = 50 * time.Millisecond
	demoKillAfter = 30
	demoProgress  = 20                     // messages between progress lines
	demoKeepAlive = 500 * time.Millisecond // the registrar's keep-alive interval and timeout (RSPLIB: 5 s each)
	demoSetup     = 5 * time.Second        // bounds registrations and the first connection
	demoDrain     = 3 * time.Second        // bounds the wait for the last echoes
)

// demoWeights are the elements' Weighted Round Robin weights.
var demoWeights = []uint32{3, 2, 1}

// demoSCTP is the endpoint configuration of every demo component. Its
// timers make SCTP give up on a silent peer after about 0.7 s (RTO 100 ms
// doubling to 400 ms, 3 retransmissions) instead of minutes with the RFC's
// defaults.
func demoSCTP() stack.Config {
	return stack.Config{
		LocalAddrs: []netip.Addr{loopback4},
		RTOInitial: 100 * time.Millisecond, RTOMin: 100 * time.Millisecond, RTOMax: 400 * time.Millisecond,
		AssocMaxRetrans: 3, PathMaxRetrans: 3,
		NoDelay: true,
		// The demo's registrar stays off 9899, where a real one may run.
		EphemeralUDPPort: true,
	}
}

func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp demo", "[--json]")
	jsonOut := fs.Bool("json", false, "print the timeline and the summary as one JSON object per line")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	d := &demo{out: &reporter{w: e.stdout, json: *jsonOut, start: time.Now()}, echoed: map[int]int{}, allEchoed: make(chan struct{})}
	lost, err := d.run(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "demo: %v\n", err)
		return exitFail
	}
	if lost > 0 {
		return exitFail
	}
	return exitOK
}

// demo is one run of the demo.
type demo struct {
	out      *reporter
	reg      *registrar.Registrar
	elements []*demoElement
	stop     context.CancelFunc // ends the element services
	session  *asap.Session

	mu        sync.Mutex
	echoed    map[int]int // echoes received per message number
	allEchoed chan struct{}
	lastEcho  time.Time
	longest   time.Duration // the longest wait between two echoes
	killed    time.Time
	noticed   time.Time         // the session lost the killed element
	failover  asap.SessionEvent // and moved to another one
}

// demoElement is an echo pool element on a transport the demo can cut.
type demoElement struct {
	el       *asap.Element
	ep       *stack.Endpoint
	link     *crashable
	sessions chan *sync.WaitGroup // the service's sessions, once it stopped accepting
}

// run sets everything up, runs the script and prints the summary; it
// returns how many messages were lost.
func (d *demo) run(ctx context.Context) (int, error) {
	d.intro()
	regEvents, err := d.startRegistrar()
	if err != nil {
		return 0, err
	}
	defer func() { d.reg.Close(); <-regEvents }()
	if err := d.startElements(ctx); err != nil {
		return 0, err
	}
	defer d.stopElements()
	closeUser, err := d.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer closeUser()
	d.exchange(ctx)
	return d.summary()
}

func (d *demo) intro() {
	d.out.event("intro", fmt.Sprintf("RSerPool on loopback: a registrar, %d echo pool elements (Weighted Round Robin, weights %s) "+
		"and a pool user sending a message every %v; the element serving it dies after %d messages",
		len(demoWeights), strings.Trim(fmt.Sprint(demoWeights), "[]"), demoInterval, demoKillAfter),
		map[string]any{"elements": len(demoWeights), "interval_ms": milliseconds(demoInterval), "messages": demoMessages, "kill_after": demoKillAfter})
	d.out.event("intro", fmt.Sprintf("timers shortened for the demo: registrar keep-alive every %v, answer within %v (RSPLIB: 5 s each); "+
		"SCTP gives up on a silent peer after about 0.7 s (RFC defaults: minutes)", demoKeepAlive, demoKeepAlive),
		map[string]any{"keep_alive_ms": milliseconds(demoKeepAlive), "rto_min_ms": 100, "rto_max_ms": 400, "max_retrans": 3})
}

// startRegistrar starts the registrar and prints its events until it
// closes; the channel returned is closed after the last one.
func (d *demo) startRegistrar() (<-chan struct{}, error) {
	r, err := registrar.Listen(registrar.Config{Endpoint: demoSCTP(), KeepAliveInterval: demoKeepAlive, KeepAliveTimeout: demoKeepAlive})
	if err != nil {
		return nil, err
	}
	d.reg = r
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range r.Events() {
			f := map[string]any{"pool": ev.Handle, "id": uint32(ev.ID)}
			if ev.Type == registrar.EventRemoved {
				f["reason"] = ev.Reason.String()
			}
			d.out.event("registrar-"+ev.Type.String(), "registrar: "+ev.String(), f)
		}
	}()
	return done, nil
}

// registrars lists the demo's registrar for elements and users.
func (d *demo) registrars() []stack.Remote {
	return []stack.Remote{{Addrs: d.reg.LocalAddrs(), Port: d.reg.Port(), UDPPort: d.reg.UDPPort()}}
}

// startElements starts the echo elements and waits until all are
// registered.
func (d *demo) startElements(ctx context.Context) error {
	ctx, d.stop = context.WithCancel(ctx)
	for _, w := range demoWeights {
		ep, link, err := crashableEndpoint(demoSCTP())
		if err != nil {
			return err
		}
		el, err := asap.NewElement(ep, asap.ElementConfig{Handle: wire.PoolHandle(demoPool), Registrars: d.registrars(),
			Policy: wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: w}})
		if err != nil {
			ep.Close()
			return err
		}
		de := &demoElement{el: el, ep: ep, link: link, sessions: make(chan *sync.WaitGroup, 1)}
		d.elements = append(d.elements, de)
		go func() { de.sessions <- serveElement(ctx, el, serveEcho, d.out) }()
		if err := awaitRegistration(ctx, el); err != nil {
			return err
		}
	}
	return nil
}

// awaitRegistration waits for the element's first registration.
func awaitRegistration(ctx context.Context, el *asap.Element) error {
	ctx, cancel := context.WithTimeout(ctx, demoSetup)
	defer cancel()
	for {
		select {
		case ev := <-el.Events():
			if ev.Type == asap.ElementRegistered {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("element $%08x did not register: %w", uint32(el.ID()), ctx.Err())
		}
	}
}

// stopElements deregisters the elements and closes them. A dead element's
// endpoint closes first: its association with the registrar is gone, and
// its sessions cannot shut down gracefully.
func (d *demo) stopElements() {
	d.stop()
	for _, de := range d.elements {
		if de.link.dead.Load() {
			de.ep.Close()
		}
		de.el.Close()
		(<-de.sessions).Wait()
		de.ep.Close()
	}
}

// connect opens the pool user's session and returns what closes it.
func (d *demo) connect(ctx context.Context) (func(), error) {
	ep, err := stack.NewEndpoint(demoSCTP())
	if err != nil {
		return nil, err
	}
	u, err := asap.NewUser(ep, asap.UserConfig{Registrars: d.registrars()})
	if err != nil {
		ep.Close()
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, demoSetup)
	defer cancel()
	if d.session, err = u.Connect(cctx, wire.PoolHandle(demoPool), asap.SessionConfig{}); err != nil {
		u.Close()
		ep.Close()
		return nil, err
	}
	watched, received := d.watchSession(), d.receive()
	return func() {
		d.session.Close()
		<-watched
		<-received
		u.Close()
		ep.Close()
	}, nil
}

// watchSession prints the session's events and notes when it lost the
// killed element and when it failed over.
func (d *demo) watchSession() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range d.session.Events() {
			reportSessionEvent(d.out, ev)
			d.mu.Lock()
			switch ev.Type {
			case asap.SessionElementLost:
				d.noticed = ev.Time
			case asap.SessionFailover:
				d.failover = ev
			}
			d.mu.Unlock()
		}
	}()
	return done
}

// receive acknowledges every echo and counts it, until the session closes.
func (d *demo) receive() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := d.session.Recv(context.Background())
			if err != nil {
				return
			}
			n, err := strconv.Atoi(strings.TrimPrefix(string(m.Data), "message "))
			if err != nil {
				continue
			}
			d.session.Ack(asap.Seq(n)) // message n is the session's nth send
			d.echo(n)
		}
	}()
	return done
}

// echo records the echo of message n.
func (d *demo) echo(n int) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.lastEcho.IsZero() {
		d.longest = max(d.longest, now.Sub(d.lastEcho))
	}
	d.lastEcho = now
	d.echoed[n]++
	if len(d.echoed) == demoMessages && d.echoed[n] == 1 {
		close(d.allEchoed)
	}
}

// exchange sends the messages, kills the serving element on cue, and
// waits for the last echoes.
func (d *demo) exchange(ctx context.Context) {
	tick := time.NewTicker(demoInterval)
	defer tick.Stop()
	for i := 1; i <= demoMessages; i++ {
		if i > 1 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
		if i == demoKillAfter+1 {
			d.kill()
		}
		if _, err := d.session.Send(ctx, fmt.Appendf(nil, "message %d", i), stack.SendInfo{}); err != nil {
			return
		}
		if i%demoProgress == 0 {
			d.mu.Lock()
			echoed := len(d.echoed)
			d.mu.Unlock()
			d.out.event("progress", fmt.Sprintf("pool user: %d sent, %d echoed", i, echoed), map[string]any{"sent": i, "echoed": echoed})
		}
	}
	select {
	case <-d.allEchoed:
	case <-time.After(demoDrain):
	case <-ctx.Done():
	}
}

// kill cuts the element serving the session off the network.
func (d *demo) kill() {
	cur, _ := d.session.Element()
	for _, de := range d.elements {
		if de.el.ID() == cur.ID {
			de.link.crash()
			d.mu.Lock()
			d.killed = time.Now()
			d.mu.Unlock()
			d.out.event("kill", fmt.Sprintf("killing %s: it dies without a word (no ABORT, no deregistration)", asap.ElementString(cur)),
				map[string]any{"element": elementFields(cur)})
		}
	}
}

// summary prints the counts and the failover's timing, and returns how
// many messages were lost.
func (d *demo) summary() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	lost, twice := demoMessages-len(d.echoed), 0
	for _, n := range d.echoed {
		twice += min(n-1, 1)
	}
	f := map[string]any{"sent": demoMessages, "echoed": len(d.echoed), "lost": lost, "echoed_twice": twice}
	d.out.event("summary", fmt.Sprintf("%d messages sent, %d echoed, %d lost (%d echoed twice: resent after the failover)",
		demoMessages, len(d.echoed), lost, twice), f)
	if d.failover.Type != asap.SessionFailover || d.noticed.IsZero() {
		return lost, errors.New("the session did not fail over")
	}
	detect, fo := d.noticed.Sub(d.killed), d.failover.Took
	d.out.event("failover-time", fmt.Sprintf("failover: the loss was noticed %v after the kill, the new element had the session %v later "+
		"(cookie echo %v, %d messages resent); longest wait for an echo %v",
		detect.Round(time.Millisecond), fo.Round(10*time.Microsecond), d.failover.CookieEcho, d.failover.Resent, d.longest.Round(time.Millisecond)),
		map[string]any{"detect_ms": milliseconds(detect), "failover_ms": milliseconds(fo), "cookie_echo": d.failover.CookieEcho,
			"resent": d.failover.Resent, "longest_gap_ms": milliseconds(d.longest)})
	return lost, nil
}

// crashable is an endpoint's UDP transport with a switch that cuts it off:
// after crash, nothing is sent or received, as when the process is killed
// (a userspace SCTP stack leaves no kernel behind to send an ABORT).
type crashable struct {
	*encap.Transport
	dead    atomic.Bool
	handler atomic.Pointer[encap.Handler]
}

// crashableEndpoint opens a pool element's endpoint on a crashable
// transport. The transport comes first, on an ephemeral UDP port, which
// the endpoint then takes as its SCTP port too.
func crashableEndpoint(cfg stack.Config) (*stack.Endpoint, *crashable, error) {
	c := &crashable{}
	t, err := encap.Open(encap.Config{Addrs: cfg.LocalAddrs}, c.receive)
	if err != nil {
		return nil, nil, err
	}
	c.Transport = t
	cfg.Port = uint16(t.Port())
	cfg.PacketConn = func(h encap.Handler) (stack.PacketConn, error) {
		c.handler.Store(&h)
		return c, nil
	}
	ep, err := asap.ElementEndpoint(cfg)
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return ep, c, nil
}

func (c *crashable) crash() { c.dead.Store(true) }

// SendBatch drops everything once dead.
func (c *crashable) SendBatch(ds []encap.Datagram) error {
	if c.dead.Load() {
		return nil
	}
	return c.Transport.SendBatch(ds)
}

func (c *crashable) receive(batch []encap.Datagram) {
	if h := c.handler.Load(); h != nil && !c.dead.Load() {
		(*h)(batch)
	}
}
