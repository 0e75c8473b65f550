package mobility

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Config configures a Node. Zero fields take their defaults.
type Config struct {
	// Handle is the node's own pool handle. A node with a handle is a
	// pool element: it registers under it, re-registers after every
	// move, and peers can dial it. Without one it is a pool user only
	// (the asymmetric setup): it can dial pool elements and re-find them
	// after they move, and they learn its new address from its ASCONF.
	Handle wire.PoolHandle
	// Registrars lists the registrars (at least one).
	Registrars []stack.Remote
	// Endpoint configures the node's SCTP endpoint. AutoASCONF is
	// always on. A pool element uses the same number for its SCTP and
	// UDP port (asap.ElementEndpoint).
	Endpoint stack.Config
	// Handover configures the handover of every mobile association;
	// Registered and PeerResolvable are set by the node.
	Handover ControllerConfig
	// RequestTimeout bounds registrar requests (asap's default).
	RequestTimeout time.Duration
	// EventQueue is the capacity of each event channel (16).
	EventQueue int
	// ResendBuffer bounds, per Conn, the messages kept until the peer
	// reports its application read them, to send them again after a
	// failover (DefaultResendBuffer). A Send waits while it is full; it is
	// also the flow control: the peer's inbox holds no more than this.
	ResendBuffer int
}

// Node is a mobile node: an SCTP endpoint that follows the host's
// addresses, registered as a pool element under its own handle (if it has
// one), with mobile associations to peers named by their handles. Its
// methods are safe for concurrent use.
type Node struct {
	cfg    Config
	ep     *stack.Endpoint
	hold   time.Duration // the endpoint's HandoverHold
	el     *asap.Element // nil without a handle
	user   *asap.User    // nil with one
	reg    Registry
	addrs  AddressSource
	own    []netip.Addr // the addresses last reported; see moved
	events *eventq.Queue[Event]
	cancel context.CancelFunc
	ctx    context.Context
	loops  sync.WaitGroup // the node's goroutines; Close waits for them

	accepted  chan *Conn // new sessions, for Accept
	mu        sync.Mutex
	sessions  map[token]*Conn // the accepted sessions, by token
	refused   atomic.Uint64
	discarded atomic.Uint64
}

// NewNode opens the node's endpoint and, if it has a handle, starts
// registering it.
func NewNode(cfg Config) (*Node, error) {
	if len(cfg.Registrars) == 0 {
		return nil, errors.New("mobility: Config.Registrars is empty")
	}
	ecfg := cfg.Endpoint
	ecfg.AutoASCONF, ecfg.AutoSetPrimary = true, true
	// The association waits for the handover as long as the node does.
	ecfg.HandoverHold = max(ecfg.HandoverHold, deadline(cfg.Handover))
	ep, err := openEndpoint(ecfg, len(cfg.Handle) > 0)
	if err != nil {
		return nil, err
	}
	feed, err := ep.WatchAddresses()
	if err != nil {
		ep.Close()
		return nil, err
	}
	n := &Node{cfg: cfg, ep: ep, hold: ecfg.HandoverHold, events: eventq.New[Event](cfg.EventQueue),
		accepted: make(chan *Conn, acceptQueue), sessions: map[token]*Conn{}}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	if len(cfg.Handle) > 0 {
		n.el, err = asap.NewElement(ep, asap.ElementConfig{Handle: cfg.Handle, Registrars: cfg.Registrars, RequestTimeout: cfg.RequestTimeout, EventQueue: cfg.EventQueue})
	} else {
		n.user, err = asap.NewUser(ep, asap.UserConfig{Registrars: cfg.Registrars, CacheTTL: -1, RequestTimeout: cfg.RequestTimeout})
	}
	if err != nil {
		ep.Close()
		return nil, err
	}
	n.reg = asapRegistry{el: n.el, user: n.user}
	if n.el != nil {
		n.loops.Go(n.forwardRegistrations)
		n.loops.Go(n.acceptLoop)
	}
	n.own = ep.LocalAddrs()
	watch := &addrWatch{feed: feed, last: ep.LocalAddrs(), subs: map[chan []netip.Addr]struct{}{}, onChange: n.moved}
	n.addrs = watch
	n.loops.Go(func() { watch.run(n.ctx) })
	return n, nil
}

func openEndpoint(cfg stack.Config, element bool) (*stack.Endpoint, error) {
	if element {
		return asap.ElementEndpoint(cfg)
	}
	return stack.NewEndpoint(cfg)
}

// moved reports the node's address changes and re-registers it with its
// new addresses. It runs on the address watcher's goroutine, which owns
// n.own.
func (n *Node) moved(addrs []netip.Addr) {
	now := time.Now()
	for _, a := range minus(n.own, addrs) {
		n.events.Post(Event{Type: EventAddressLost, Time: now, Addr: a})
	}
	for _, a := range minus(addrs, n.own) {
		n.events.Post(Event{Type: EventAddressGained, Time: now, Addr: a})
	}
	n.own = addrs
	if n.el == nil || len(addrs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, 10*asapTimeout(n.cfg.RequestTimeout))
	defer cancel()
	if err := n.reg.Reregister(ctx); err != nil {
		n.events.Post(Event{Type: EventReregistered, Time: time.Now(), Addrs: addrs, Err: err})
	}
}

// forwardRegistrations reports the element's registrations, renewals and
// failures as EventReregistered, until the element closes.
func (n *Node) forwardRegistrations() {
	for ev := range n.el.Events() {
		switch ev.Type {
		case asap.ElementRegistered, asap.ElementReregistered:
			n.events.Post(Event{Type: EventReregistered, Time: ev.Time, Addrs: n.ep.LocalAddrs()})
		case asap.ElementRegistrationFailed:
			n.events.Post(Event{Type: EventReregistered, Time: ev.Time, Err: ev.Err})
		}
	}
}

// deadline is the handover deadline cfg gives.
func deadline(cfg ControllerConfig) time.Duration {
	if cfg.Deadline <= 0 {
		return DefaultDeadline
	}
	return cfg.Deadline
}

func asapTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return asap.DefaultRequestTimeout
	}
	return d
}

// Endpoint returns the node's SCTP endpoint.
func (n *Node) Endpoint() *stack.Endpoint { return n.ep }

// Events returns the node's own events: each address lost and gained,
// and its registrations (EventReregistered, the first one included, with the
// addresses registered, or Err). Associations report their handovers on Conn.Events.
// When it is not read, the oldest events are dropped.
func (n *Node) Events() <-chan Event { return n.events.C() }

// Dial resolves the peer's handle, sets up an association with the
// element found, and opens a session with it: a Cookie Echo with a new
// random token, then a Business Card (RFC 5352) naming this node's handle,
// so that the peer can resolve it after a move (see control.go). A node
// without a handle sends no card. It returns once the peer has answered
// the opening with its half of the session key (session_key.go), without
// which the session could not continue after a failover.
//
// Two nodes have at most one Conn between them, whichever dialed: SCTP
// allows one association between two endpoints, and a Conn is one
// association. Dial to a peer this node has a Conn with already fails
// with an error that matches stack.ErrAssociated; use that Conn.
func (n *Node) Dial(ctx context.Context, peer wire.PoolHandle) (*Conn, error) {
	o := opening{peer: peer, tok: newToken(), dialler: true, priv: newKeyPair()}
	a, err := n.dialPeer(ctx, peer, 0)
	if err != nil {
		return nil, err
	}
	if err := sendSession(ctx, a, sessionMsg{kind: kindOpen, token: o.tok, pub: publicKey(o.priv)}); err != nil {
		a.Abort("mobility: session not opened")
		return nil, err
	}
	if len(n.cfg.Handle) > 0 {
		if err := sendCard(ctx, a, n.cfg.Handle); err != nil {
			a.Abort("mobility: business card not sent")
			return nil, err
		}
	}
	c, err := n.start(a, o)
	if err != nil {
		return nil, err
	}
	// The session can continue on a new association only once it has
	// its key: a Conn returned earlier would not survive a failover.
	wait, cancel := context.WithTimeout(ctx, n.connectTimeout())
	defer cancel()
	select {
	case <-c.opened:
		return c, nil
	case <-c.ended:
		return nil, c.endErr
	case <-wait.Done():
		c.Close()
		return nil, fmt.Errorf("mobility: %q did not answer the session's opening: %w", peer, wait.Err())
	}
}

// dialPeer resolves peer, bypassing the cache, and sets up an association
// with the first element that answers, each within timeout (0: ctx only).
func (n *Node) dialPeer(ctx context.Context, peer wire.PoolHandle, timeout time.Duration) (*stack.Association, error) {
	els, err := n.reg.Resolve(ctx, peer)
	if err != nil {
		return nil, err
	}
	var last error
	for _, e := range els {
		t := e.UserTransport
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			dctx, cancel = context.WithTimeout(ctx, timeout)
		}
		a, err := n.ep.Dial(dctx, stack.Remote{Addrs: t.Addrs, Port: t.Port, UDPPort: t.Port})
		cancel()
		if err == nil {
			return a, nil
		}
		last = err
	}
	return nil, fmt.Errorf("mobility: no element of %q could be dialed: %w", peer, last)
}

// Accept waits for a peer's new session. The peer's handle comes with its
// Business Card, later (EventPeerHandle). Associations that continue a
// session after a failover go to that session's Conn, not to Accept. Only
// a node with a handle can be dialled.
func (n *Node) Accept(ctx context.Context) (*Conn, error) {
	if n.el == nil {
		return nil, errors.New("mobility: a node without a handle accepts no associations")
	}
	select {
	case c := <-n.accepted:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-n.ctx.Done():
		return nil, ErrConnEnded
	}
}

// opening is what a session starts from.
type opening struct {
	peer    wire.PoolHandle // the handle dialled; empty for an accepted session
	tok     token
	dialler bool
	priv    *ecdh.PrivateKey // the dialler's, until the acceptor answers
	key     []byte           // the acceptor's session key
	early   []inMsg          // application messages that came before the opening
}

// start makes a a mobile association: it starts its pump, its
// checkpoints and its handover driver.
func (n *Node) start(a *stack.Association, o opening) (*Conn, error) {
	cfg := n.cfg.Handover
	cfg.Registered = false // the node re-registers, once for all its associations
	cfg.PeerResolvable = len(o.peer) > 0
	addrs, own, unsubscribe := n.addrs.Subscribe()
	c := newConn(n, a, o)
	d := newDriver(NewController(cfg, own), a, stackReattacher{a: a, hold: n.hold}, n.reg, addrs, c.data, c.events)
	d.peer, d.onPeer, d.cards, d.conn = o.peer, c.setPeer, c.cards, c
	if err := d.seams.HoldWhileDown(d.ctl.cfg.Deadline); err != nil {
		unsubscribe()
		a.Abort("mobility: no handover hold")
		return nil, err
	}
	for _, m := range o.early {
		c.deliver(a, m.stream, m.data)
	}
	ctx, cancel := context.WithCancel(n.ctx)
	c.stop = cancel
	c.startPump(a)
	n.loops.Go(func() { c.checkpoints(ctx) })
	n.loops.Go(func() {
		defer close(c.driverDone)
		defer c.end(ErrConnEnded)
		defer unsubscribe()
		d.run(ctx)
	})
	return c, nil
}

// startPump starts reading a for c (conn_recv.go).
func (c *Conn) startPump(a *stack.Association) {
	done := make(chan struct{})
	c.mu.Lock()
	c.pumpDone = done
	c.mu.Unlock()
	c.node.loops.Go(func() {
		defer close(done)
		c.pump(a)
	})
}

// forget drops c from the sessions the node continues.
func (n *Node) forget(c *Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sessions[c.token] == c {
		delete(n.sessions, c.token)
	}
}

func (n *Node) resendBuffer() int {
	if n.cfg.ResendBuffer <= 0 {
		return DefaultResendBuffer
	}
	return n.cfg.ResendBuffer
}

// NodeStats counts what a node refused.
type NodeStats struct {
	// Refused counts the associations that opened no session, or claimed
	// to continue one that does not exist (EventResumeRefused).
	Refused uint64
	// Discarded counts the control-stream messages dropped as malformed
	// or belonging to no session of theirs.
	Discarded uint64
}

// Stats returns the node's counters.
func (n *Node) Stats() NodeStats {
	return NodeStats{Refused: n.refused.Load(), Discarded: n.discarded.Load()}
}

// Close closes the node: its registration, its pool user and its
// endpoint, with every association.
func (n *Node) Close() error {
	n.cancel()
	var errs []error
	if n.el != nil {
		errs = append(errs, n.el.Close())
	} else {
		errs = append(errs, n.user.Close())
	}
	errs = append(errs, n.ep.Close())
	n.loops.Wait()
	n.events.Close()
	return errors.Join(errs...)
}
