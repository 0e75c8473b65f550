package mobility

import (
	"errors"
	"net/netip"
	"slices"
	"time"
)

// Defaults of ControllerConfig.
const (
	DefaultDeadline          = 60 * time.Second
	DefaultResolveBackoff    = 100 * time.Millisecond
	DefaultResolveBackoffMax = 2 * time.Second
)

// ErrDeadline is the reason of a fallback when the handover deadline
// passed before a path to the peer was confirmed.
var ErrDeadline = errors.New("mobility: handover deadline passed")

// ControllerConfig configures a Controller.
type ControllerConfig struct {
	// Registered: the node is a pool element and re-registers after
	// every change of its addresses.
	Registered bool
	// PeerResolvable: the peer is a pool element, so the node can
	// resolve its handle to find it after it moved. In the asymmetric
	// setup only one of the two nodes has it; the other learns the
	// peer's new address from the peer's ASCONF.
	PeerResolvable bool
	// Deadline bounds a handover (DefaultDeadline): after it, the node
	// falls back to session failover.
	Deadline time.Duration
	// ResolveBackoff is the wait before resolving the peer again
	// (DefaultResolveBackoff); it doubles after every answer up to
	// ResolveBackoffMax (DefaultResolveBackoffMax). The peer may not have
	// re-registered yet when the first answer comes.
	ResolveBackoff, ResolveBackoffMax time.Duration
	// Recovery chooses how the association recovers from losing every
	// confirmed path (RecoverReattach). With RecoverFailover the
	// controller falls back at once (ErrPathsLost) instead of starting a
	// handover. The failover itself, and its resolution back-off (the
	// same as a handover's), belong to the Conn.
	Recovery Recovery
}

func (c ControllerConfig) withDefaults() ControllerConfig {
	if c.Deadline <= 0 {
		c.Deadline = DefaultDeadline
	}
	if c.ResolveBackoff <= 0 {
		c.ResolveBackoff = DefaultResolveBackoff
	}
	if c.ResolveBackoffMax < c.ResolveBackoff {
		c.ResolveBackoffMax = max(DefaultResolveBackoffMax, c.ResolveBackoff)
	}
	return c
}

// ActionType says what the caller of a Controller must do.
type ActionType uint8

// Actions.
const (
	// ActReregister: register again at once with Addrs, the node's
	// addresses now; answer with Reregistered.
	ActReregister ActionType = iota + 1
	// ActResolvePeer: resolve the peer's handle, bypassing any cache;
	// answer with Resolved.
	ActResolvePeer
	// ActSendReattach: send the association's ASCONF from a new address
	// to the learned peer address To: Add IP Address for each of Addrs,
	// Set Primary Address, and as the Address Parameter an address the
	// peer already knows for this node (RFC 5061 section 4.1.1). Answer
	// with ASCONFAcked when the peer answers; no answer is an answer too
	// (the resolution goes on).
	ActSendReattach
	// ActFallback: the association cannot be re-attached; fail over to
	// a new one (RSerPool session failover). Event says why.
	ActFallback
	// ActEmit: report Event.
	ActEmit
)

// Action is one thing a Controller asks its caller to do.
type Action struct {
	Type  ActionType
	Addrs []netip.Addr
	To    netip.Addr
	Event Event // ActEmit and ActFallback
}

// Controller is the handover logic of one mobile association, as a state
// machine without I/O: its methods take the time and an input (the node's
// addresses changed, a path was confirmed or every path went down, a
// resolution or an ASCONF was answered, the timer fired) and return what
// to do. It is not safe for concurrent use; one goroutine owns it.
//
// A handover starts when the node has no confirmed path to its peer
// left: every path went down, or the node lost every address it had. It
// ends when a heartbeat confirms a path again (the stack sends data on a
// path only after that), or with a fallback at the deadline. Meanwhile,
// if the peer is a pool element, the controller resolves its handle as
// soon as the node has an address, and again with a doubling back-off
// until the peer answers an ASCONF, and sends one re-attach ASCONF to each
// address it learns (again to all of them when its own addresses change).
// A resolved address is only a hint: a forged registration adds an
// address that never answers, and the genuine one is tried as well.
//
// When both nodes move at once, each re-registers and each resolves the
// other; the first re-attach ASCONF that gets through makes its receiver
// confirm a path to the sender and its sender confirm a path to the
// receiver, which ends both handovers: a node that has a confirmed path
// sends no more re-attach ASCONFs, and a second ASCONF that crossed the
// first only adds addresses the receiver already has.
type Controller struct {
	cfg ControllerConfig
	own []netip.Addr

	inHandover bool
	started    time.Time
	deadline   time.Time

	resolving   bool      // a resolution is outstanding
	asked       time.Time // when it was asked for
	nextResolve time.Time // zero: none scheduled
	backoff     time.Duration
	answered    bool         // the peer acknowledged an ASCONF in this handover
	tried       []netip.Addr // peer addresses sent an ASCONF from the current own addresses

	awaitData bool // a handover ended and no data has arrived since
	failed    bool // fell back: the controller does nothing more

	out []Action
}

// NewController returns the controller of an association that is up, on
// a node that holds the addresses own.
func NewController(cfg ControllerConfig, own []netip.Addr) *Controller {
	return &Controller{cfg: cfg.withDefaults(), own: slices.Clone(own)}
}

// InHandover reports whether a handover is under way.
func (c *Controller) InHandover() bool { return c.inHandover }

// Failed reports whether the controller fell back.
func (c *Controller) Failed() bool { return c.failed }

// Next returns when Tick must be called next; zero if nothing waits.
func (c *Controller) Next() time.Time {
	if !c.inHandover {
		return time.Time{}
	}
	if !c.nextResolve.IsZero() && c.nextResolve.Before(c.deadline) {
		return c.nextResolve
	}
	return c.deadline
}

// OwnAddrs takes the node's addresses after a change.
func (c *Controller) OwnAddrs(now time.Time, addrs []netip.Addr) []Action {
	c.out = c.out[:0]
	if c.failed {
		return nil
	}
	lost := minus(c.own, addrs)
	gained := minus(addrs, c.own)
	if len(lost) == 0 && len(gained) == 0 {
		return nil
	}
	for _, a := range lost {
		c.emit(now, Event{Type: EventAddressLost, Addr: a})
	}
	for _, a := range gained {
		c.emit(now, Event{Type: EventAddressGained, Addr: a})
	}
	keptNone := len(minus(c.own, lost)) == 0
	c.own = slices.Clone(addrs)
	c.tried = nil // a new source address: every peer address is worth an ASCONF again
	if c.cfg.Registered && len(addrs) > 0 {
		c.out = append(c.out, Action{Type: ActReregister, Addrs: slices.Clone(addrs)})
	}
	if keptNone && len(lost) > 0 {
		c.startHandover(now)
	}
	if c.inHandover && len(gained) > 0 {
		c.answered = false
		c.backoff = c.cfg.ResolveBackoff
		c.resolveNow(now)
	}
	return c.out
}

// PeerKnown reports that the peer's handle became known (its Business
// Card arrived): from now on the peer can be resolved.
func (c *Controller) PeerKnown(now time.Time) []Action {
	c.out = c.out[:0]
	c.cfg.PeerResolvable = true
	if c.inHandover {
		c.resolveNow(now)
	}
	return c.out
}

// AllPathsDown reports that no path to the peer is active.
func (c *Controller) AllPathsDown(now time.Time) []Action {
	c.out = c.out[:0]
	if c.failed {
		return nil
	}
	c.startHandover(now)
	c.resolveNow(now)
	return c.out
}

// PathConfirmed reports that a heartbeat confirmed the path to peer
// address addr: the association is attached again.
func (c *Controller) PathConfirmed(now time.Time, addr netip.Addr) []Action {
	c.out = c.out[:0]
	if c.failed {
		return nil
	}
	c.emit(now, Event{Type: EventPathConfirmed, Addr: addr})
	if c.inHandover {
		c.inHandover, c.nextResolve = false, time.Time{}
		c.awaitData = true
	}
	return c.out
}

// DataReceived reports data from the peer.
func (c *Controller) DataReceived(now time.Time) []Action {
	c.out = c.out[:0]
	if c.awaitData {
		c.awaitData = false
		c.emit(now, Event{Type: EventFirstData})
	}
	return c.out
}

// Reregistered reports the end of a re-registration.
func (c *Controller) Reregistered(now time.Time, addrs []netip.Addr, err error) []Action {
	c.out = c.out[:0]
	c.emit(now, Event{Type: EventReregistered, Addrs: addrs, Err: err})
	return c.out
}

// Resolved reports the answer to ActResolvePeer: the addresses of the
// peer's registration, or why there are none.
func (c *Controller) Resolved(now time.Time, addrs []netip.Addr, err error) []Action {
	c.out = c.out[:0]
	c.resolving = false
	if c.failed || !c.inHandover {
		return nil
	}
	c.emit(now, Event{Type: EventPeerResolved, Addrs: addrs, Err: err})
	if len(c.own) > 0 {
		for _, to := range addrs {
			if slices.Contains(c.tried, to) {
				continue
			}
			c.tried = append(c.tried, to)
			c.emit(now, Event{Type: EventASCONFSent, Addr: to, Addrs: slices.Clone(c.own)})
			c.out = append(c.out, Action{Type: ActSendReattach, To: to, Addrs: slices.Clone(c.own)})
		}
	}
	if !c.answered {
		// The back-off counts from the request, not from the answer: a
		// registration that landed just after the request is seen one
		// back-off step later, whatever the registrar's round trip.
		c.nextResolve = c.asked.Add(c.backoff)
		c.backoff = min(2*c.backoff, c.cfg.ResolveBackoffMax)
		if !now.Before(c.nextResolve) {
			c.resolveNow(now)
		}
	}
	return c.out
}

// ASCONFAcked reports the peer's answer, from addr, to a re-attach
// ASCONF. An answer stops the resolutions: the peer is found; a heartbeat
// confirms the path next.
func (c *Controller) ASCONFAcked(now time.Time, addr netip.Addr, err error) []Action {
	c.out = c.out[:0]
	if c.failed {
		return nil
	}
	c.emit(now, Event{Type: EventASCONFAcked, Addr: addr, Err: err})
	if err == nil && c.inHandover {
		c.answered, c.nextResolve = true, time.Time{}
	}
	return c.out
}

// AssociationLost reports that the association ended (the peer aborted
// or restarted it): re-attaching is no longer possible.
func (c *Controller) AssociationLost(now time.Time, err error) []Action {
	c.out = c.out[:0]
	c.fallback(now, err)
	return c.out
}

// Tick runs the timers: the next resolution and the deadline.
func (c *Controller) Tick(now time.Time) []Action {
	c.out = c.out[:0]
	if c.failed || !c.inHandover {
		return nil
	}
	if !now.Before(c.deadline) {
		c.fallback(now, ErrDeadline)
		return c.out
	}
	if !c.nextResolve.IsZero() && !now.Before(c.nextResolve) {
		c.resolveNow(now)
	}
	return c.out
}

func (c *Controller) startHandover(now time.Time) {
	if c.inHandover || c.failed {
		return
	}
	if c.cfg.Recovery == RecoverFailover {
		c.fallback(now, ErrPathsLost)
		return
	}
	c.inHandover, c.started, c.deadline = true, now, now.Add(c.cfg.Deadline)
	c.answered, c.tried, c.backoff = false, nil, c.cfg.ResolveBackoff
	c.emit(now, Event{Type: EventHandoverStarted})
}

// resolveNow asks for a resolution if the peer can be resolved, the node
// has an address to ask from, and none is outstanding.
func (c *Controller) resolveNow(now time.Time) {
	c.nextResolve = time.Time{}
	if c.failed || !c.cfg.PeerResolvable || len(c.own) == 0 || c.resolving || c.answered {
		return
	}
	c.resolving, c.asked = true, now
	c.out = append(c.out, Action{Type: ActResolvePeer})
}

func (c *Controller) fallback(now time.Time, err error) {
	if c.failed {
		return
	}
	ev := c.stamp(now, Event{Type: EventFallback, Err: err})
	c.failed, c.inHandover, c.nextResolve = true, false, time.Time{}
	c.out = append(c.out, Action{Type: ActFallback, Event: ev}, Action{Type: ActEmit, Event: ev})
}

func (c *Controller) emit(now time.Time, e Event) {
	c.out = append(c.out, Action{Type: ActEmit, Event: c.stamp(now, e)})
}

// stamp sets the event's time, and its time since the handover started
// if it belongs to one: one under way, or the one that just ended.
func (c *Controller) stamp(now time.Time, e Event) Event {
	e.Time = now
	if c.inHandover || e.Type == EventFirstData {
		e.Since = now.Sub(c.started)
	}
	return e
}

// minus returns the addresses of a that are not in b.
func minus(a, b []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
