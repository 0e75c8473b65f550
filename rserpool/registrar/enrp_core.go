package registrar

import (
	"time"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// enrpCore is the registrar's ENRP state (RFC 5353), guarded by core.mu
// like the handlespace the state machine reads. The machine's actions are
// carried out under the mutex as far as they change the handlespace; the
// messages are encoded there and queued on the peer's association, whose
// own goroutine sends them after the mutex is released: each peer sees
// them in the order they were made, and a stalled peer holds up no other.
type enrpCore struct {
	m       *enrpsm.Machine
	links   map[wire.ServerID]*link // the association each peer is sent to
	all     map[*link]struct{}      // every association with a peer
	homes   []homeClaim             // elements to send a Keep-Alive with the Home flag
	aborts  []*link                 // associations with peers found dead
	mcast   [][]byte                // Presences for the announce socket
	dialing map[wire.ServerID]bool  // registrars found by announce, being dialed
	stats   ENRPStats
	// send wakes the sender of the rest; tick wakes the timer loop, whose deadline
	// may have moved. Each holds at most one pending signal.
	send, tick chan struct{}
}

// ENRPStats counts the registrar's ENRP work beside the state machine's
// own counters.
type ENRPStats struct {
	enrpsm.Stats
	Peers           int    // in the peer table now
	Links           int    // associations with peers now
	Sent, SendFails uint64 // messages sent to peers, and those that failed or had no association
	SentBytes       uint64 // the ENRP bytes of the messages sent
	Malformed       uint64 // ENRP messages that did not decode, or named another sender than the association's
	Superseded      uint64 // messages on an association that is no longer the peer's, dropped
	Rejected        uint64 // elements from peers the handlespace refused (policy)
	HomeKeepAlives  uint64 // Keep-Alives with the Home flag sent (takeovers and suggestions)
	// Claims settled (see enrp_claims.go): peers' claims on an element
	// whose live registration this registrar kept, and elements it took
	// back from standby when their owner dropped them.
	ClaimsRefused, Reclaimed uint64
}

// homeClaim is a pool element this registrar wants to become the home of:
// it dials the element and sends it an Endpoint Keep-Alive with the Home
// flag.
type homeClaim struct {
	to     stack.Remote
	handle wire.PoolHandle
	id     wire.PEID
}

func newENRPCore(m *enrpsm.Machine) *enrpCore {
	return &enrpCore{
		m:       m,
		links:   map[wire.ServerID]*link{},
		dialing: map[wire.ServerID]bool{},
		all:     map[*link]struct{}{},
		send:    make(chan struct{}, 1),
		tick:    make(chan struct{}, 1),
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// table returns the machine's view of the handlespace.
func (c *core) enrpTable() enrpsm.HandlespaceTable {
	return enrpsm.HandlespaceTable{HS: c.hs, MaxEntries: c.cfg.MaxTableEntries, Element: c.tableElement}
}

// ownerChanged sends a change of an element this registrar owns to the
// peers as a Handle Update. Every registration, re-registration and
// removal comes through here, whatever its cause.
func (c *core) ownerChanged(e *handlespace.PoolElement, action wire.UpdateAction, now time.Time) {
	if c.enrp == nil || wire.ServerID(e.Owner()) != c.cfg.ServerID {
		return
	}
	c.enrpDo(c.enrp.m.Local(now, action, wire.PoolHandle(e.Handle()), c.tableElement(e)), now)
}

// enrpDo carries out the machine's actions; the caller holds c.mu.
func (c *core) enrpDo(acts []enrpsm.Action, now time.Time) {
	x := c.enrp
	for i := range acts {
		a := &acts[i]
		switch a.Kind {
		case enrpsm.Send:
			l := x.links[a.To]
			if l == nil {
				x.stats.SendFails++
				continue
			}
			c.queue(l, wire.AppendENRP(nil, a.Msg))
		case enrpsm.Multicast:
			x.mcast = append(x.mcast, wire.AppendENRP(nil, a.Msg))
			signal(x.send)
		case enrpsm.AddElement:
			c.peerElement(a, now)
		case enrpsm.DelElement:
			c.peerRemoved(a, now)
		case enrpsm.Purge:
			for _, e := range enrpsm.Stale(c.hs, a.Owner, a.Keep) {
				c.ownerDropped(e, now)
			}
		case enrpsm.TakeOver:
			c.takeOver(a.Target, a.Owner, now)
		case enrpsm.ClaimElement:
			c.claimHome(a.Handle, a.Element.ID, &a.Element.UserTransport)
		case enrpsm.PeerDead:
			c.log.Warnf("ENRP peer $%08x is gone", uint32(a.Target))
			c.dropLinks(a.Target)
		}
	}
	signal(x.tick)
}

// peerElement enters an element a peer owns, unless this registrar holds
// the element's live ASAP session and keeps it (see keeps).
func (c *core) peerElement(a *enrpsm.Action, now time.Time) {
	e := c.hs.Lookup(a.Handle, uint32(a.Element.ID))
	if !c.acceptable(a, e == nil) {
		c.enrp.stats.Rejected++
		c.log.Warnf("element %q/$%08x from peer $%08x refused", a.Handle, uint32(a.Element.ID), uint32(a.Owner))
		return
	}
	if e != nil && c.keeps(e, a.Owner, now) {
		return
	}
	c.addLinkDistance(a)
	e, created, err := c.hs.Register(enrpsm.Registration(a), now)
	if err != nil {
		c.enrp.stats.Rejected++
		c.log.Warnf("element %q/$%08x from peer $%08x refused: %v", a.Handle, uint32(a.Element.ID), uint32(a.Owner), err)
		return
	}
	typ := EventReregistered
	if created {
		typ = EventRegistered
	}
	info := c.element(e)
	c.events.Post(Event{Type: typ, Time: now, Handle: e.Handle(), ID: wire.PEID(e.ID()), Element: &info})
	c.rearm()
}

// acceptable applies to an element from a peer the rules of a
// registration that do not depend on its association: a handle that is
// not too long, a nonzero identifier and life, a user transport, and room
// in the handlespace for a new one. A peer is trusted no further than its
// own elements go.
func (c *core) acceptable(a *enrpsm.Action, isNew bool) bool {
	pe := &a.Element
	switch {
	case len(a.Handle) == 0 || len(a.Handle) > c.cfg.MaxHandleLen, pe.ID == 0, pe.RegLife == 0, pe.UserTransport.Type == 0:
		return false
	case isNew && c.hs.Len() >= c.cfg.MaxElements:
		return false
	}
	return true
}

// takeOver moves the elements of target to owner. When owner is this
// registrar, it becomes their home: it sends each a Keep-Alive with the
// Home flag, and removes those that do not answer within
// KeepAliveTimeout, as RSPLIB does.
func (c *core) takeOver(target, owner wire.ServerID, now time.Time) {
	self := owner == c.cfg.ServerID
	for _, e := range c.hs.OwnedBy(uint32(target)) {
		if _, _, err := c.hs.Register(enrpsm.Moved(e, owner), now); err != nil {
			continue // cannot fail: the element keeps its policy
		}
		if !self {
			continue
		}
		if c.liveBinding(e) != nil { // its session here, on standby, lives: ask there
			c.hs.SetTimer(e, handlespace.KeepAlive, now)
			continue
		}
		c.hs.SetTimer(e, handlespace.KeepAliveTimeout, now.Add(c.cfg.KeepAliveTimeout))
		var t wire.Transport
		decodeTransport(e.Transport(), &t)
		c.claimHome(wire.PoolHandle(e.Handle()), wire.PEID(e.ID()), &t)
	}
	if self {
		c.log.Warnf("took over the pool elements of $%08x", uint32(target))
	}
	c.rearm()
}

// claimHome queues a Keep-Alive with the Home flag for element id of pool
// handle, whose user transport is t: the element's endpoint, where it
// registers from too.
func (c *core) claimHome(handle wire.PoolHandle, id wire.PEID, t *wire.Transport) {
	if len(t.Addrs) == 0 || t.Port == 0 {
		return
	}
	to := stack.Remote{Addrs: cloneTransport(*t).Addrs, Port: t.Port, UDPPort: t.Port}
	c.enrp.homes = append(c.enrp.homes, homeClaim{to: to, handle: append(wire.PoolHandle(nil), handle...), id: id})
	signal(c.enrp.send)
}

// dropLinks aborts the associations with a peer found dead. One that only
// stalled (a partition) would otherwise carry its backlog, at the pace of
// a backed-off retransmission timer, long after the network healed; a
// fresh association starts with a fresh synchronisation.
func (c *core) dropLinks(id wire.ServerID) {
	for l := range c.enrp.all {
		if l.id == id {
			c.abortLink(l)
		}
	}
}

// maxQueue is how many messages may wait for a peer's association. A peer
// that far behind is treated as failed: its association is aborted, and
// the next one starts with a fresh synchronisation instead of the backlog.
const maxQueue = 1 << 16

// queue queues msg on l.
func (c *core) queue(l *link, msg []byte) {
	if len(l.out) >= maxQueue {
		c.enrp.stats.SendFails++
		if !l.overrun {
			l.overrun = true
			c.abortLink(l)
		}
		return
	}
	l.out = append(l.out, msg)
	signal(l.kick)
}
