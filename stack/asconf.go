package stack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/addip"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Dynamic Address Reconfiguration (RFC 5061) in the association: the
// addip state machines, our local address set as the peer knows it, and the
// peer's address changes applied to our paths. ASCONF and ASCONF-ACK always
// travel behind AUTH.

// asconfState is the association's side of RFC 5061.
type asconfState struct {
	tx       *addip.Sender   // our requests; nil when the peer cannot do ASCONF
	rx       *addip.Receiver // the peer's requests
	locals   []netip.Addr    // our addresses the peer knows
	leaving  []netip.Addr    // of those, the ones we asked the peer to delete
	adding   []netip.Addr    // addresses we asked the peer to add: it may use them before it acknowledges
	draining []drainingAddr  // deleted addresses that data in flight may still reach
	cur      *rxPacket       // the packet whose ASCONF is being applied
	// moveTo is a new local address that AutoASCONF moves the association
	// to: once the peer knows it, our own data follows (see follow).
	moveTo netip.Addr
	// held are Deletes of our last addresses, waiting for a new one
	// (handover.go); stranded is set from then until the peer has
	// acknowledged the address that replaced them.
	held     []netip.Addr
	stranded bool
	// target is a peer address given by AddPeerAddr: our ASCONFs go
	// there until one is acknowledged (handover.go).
	target *path
	// holdUntil is when the handover hold ends (zero: none): every path
	// is down and the error limits are reached, but the association
	// waits for a new path instead of aborting (handover.go).
	holdUntil time.Time
}

// setupAddIP starts RFC 5061 if both sides support it with AUTH, and
// records the local addresses the peer learned from the handshake.
func (a *Association) setupAddIP(pp *peerParams, localTSN, peerTSN uint32) {
	a.addip = asconfState{locals: a.handshakeLocals()}
	if a.cfg.DisableAddIP || !addip.Available(pp.exts, a.auth != nil) {
		return
	}
	a.addip.tx = addip.NewSender(localTSN)
	a.addip.rx = addip.NewReceiver(peerTSN)
}

// handshakeLocals lists the addresses our INIT or INIT ACK announced, or
// else the one the handshake ran on.
func (a *Association) handshakeLocals() []netip.Addr {
	if as := a.ep.announced(a.primary.remote.Addr()); len(as) > 0 {
		return as
	}
	return []netip.Addr{a.primary.local}
}

// asconfAvailable reports whether we may send ASCONFs.
func (a *Association) asconfAvailable() bool { return a.addip.tx != nil }

// asconfInFlight reports whether an ASCONF of ours awaits its ASCONF-ACK.
func (a *Association) asconfInFlight() bool {
	if a.addip.tx == nil {
		return false
	}
	_, ok := a.addip.tx.Deadline()
	return ok
}

// queueASCONF queues one request; the loop sends it with the next flush.
func (a *Association) queueASCONF(now time.Time, op addip.Op, addr netip.Addr) error {
	if !a.asconfAvailable() {
		return ErrNoASCONF
	}
	if op == addip.DeleteIP && a.holdsLastAddress(addr) {
		a.holdDelete(addr) // the peer would refuse it (RFC 5061 section 5.3 F7)
		return nil
	}
	if _, err := a.addip.tx.Queue(op, addr); err != nil {
		return err
	}
	if op == addip.AddIP {
		a.addip.adding = append(a.addip.adding, addr)
	}
	if op == addip.DeleteIP {
		// An address on its way out is no source any more: in particular
		// not of the ASCONF that deletes it, which the peer would refuse
		// (RFC 5061 section 5.2, Request to Delete Source IP Address).
		a.addip.leaving = append(a.addip.leaving, addr)
		a.refreshSources(now)
	}
	return nil
}

// flushASCONF sends the next ASCONF if one is due and none is in flight.
func (a *Association) flushASCONF(now time.Time) {
	if !a.asconfAvailable() || a.primary == nil || !a.addip.tx.Ready() {
		return // routing asks the transport for its addresses: not on every flush
	}
	r := a.routeASCONF(a.addip.target, netip.Addr{})
	c, err := a.addip.tx.Next(now, r.lookup, a.asconfBudget(r.path), addip.Path{Dest: r.path.remote.Addr(), RTO: r.path.rto.rto})
	if err != nil || c == nil {
		return
	}
	a.sendASCONFs(r, []*wire.Asconf{c})
	a.stats.AsconfsSent++
}

// onT4 resends the ASCONF in flight to another path, counting the timeout
// against the path that did not answer (RFC 5061 section 5.1 B).
func (a *Association) onT4(now time.Time) {
	r, ok := a.addip.tx.Expire(now, func(failed netip.Addr) addip.Path {
		if p := a.pathTo(failed); p != nil {
			p.rto.backoff()
			a.pathError(now, p)
		}
		alt := a.primary
		for _, p := range a.paths {
			if p.remote.Addr() != failed && p.state == PathActive {
				alt = p
				break
			}
		}
		if t := a.addip.target; t != nil && t.remote.Addr() != failed {
			alt = t // where the peer is said to be now
		}
		return addip.Path{Dest: alt.remote.Addr(), RTO: alt.rto.rto}
	})
	if !ok || a.state == stateClosed {
		return
	}
	a.sendASCONFs(a.routeASCONF(a.pathTo(r.To.Dest), netip.Addr{}), r.Chunks)
	a.stats.Retransmissions += uint64(len(r.Chunks))
	a.checkShutdownProgress(now) // a closing association waits so long only
}

// handleAsconfAck applies the peer's answers to our requests.
func (a *Association) handleAsconfAck(now time.Time, c wire.Chunk) bool {
	var ack wire.AsconfAck
	if ack.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	acked, ok, err := a.addip.tx.HandleAck(&ack)
	if err != nil {
		a.abortWith(now, &wire.AsconfCause{Code: wire.CauseIllegalAsconfAck}, errProtocolViolation)
		return false
	}
	if !ok {
		return true
	}
	a.errors = 0
	if p := a.pathTo(acked.Dest); p != nil {
		p.errors = 0
	}
	a.targetReached(now, acked.Dest)
	moved := false
	for _, r := range acked.Results {
		a.applyResult(now, r)
		moved = moved || (r.OK && r.Op == addip.AddIP)
	}
	if moved && a.addip.stranded && len(a.addip.held) == 0 {
		a.resumeAfterOutage()
	}
	a.checkShutdownProgress(now)
	return true
}

// applyResult updates our local address set after the peer acknowledged a
// request, and reports the outcome.
func (a *Association) applyResult(now time.Time, r addip.Result) {
	e := Event{Type: EventASCONF, Request: r.Op.String() + " " + r.Addr.String()}
	if r.Op == addip.AddIP {
		a.addip.adding = slices.DeleteFunc(a.addip.adding, func(x netip.Addr) bool { return x == r.Addr })
	}
	if !r.OK {
		e.Err = &CauseError{Code: firstCause(r.Causes)}
		if r.Op == addip.DeleteIP {
			a.addip.leaving = slices.DeleteFunc(a.addip.leaving, func(x netip.Addr) bool { return x == r.Addr })
			a.refreshSources(now)
		}
		a.emit(e)
		return
	}
	if r.Op == addip.DeleteIP {
		a.addip.leaving = slices.DeleteFunc(a.addip.leaving, func(x netip.Addr) bool { return x == r.Addr })
		defer a.refreshSources(now)
	}
	switch r.Op {
	case addip.AddIP:
		if !slices.Contains(a.addip.locals, r.Addr) {
			a.addip.locals = append(a.addip.locals, r.Addr)
		}
	case addip.DeleteIP:
		a.addip.locals = slices.DeleteFunc(a.addip.locals, func(x netip.Addr) bool { return x == r.Addr })
		a.drain(now, r.Addr)
	}
	a.refreshSources(now)
	if r.Op == addip.DeleteIP {
		a.moveQueuedSources(r.Addr)
	}
	if r.Op == addip.AddIP && r.Addr == a.addip.moveTo {
		a.addip.moveTo = netip.Addr{}
		a.follow(now, r.Addr)
	}
	a.emit(e)
}

// follow moves our own data to the network of local address addr, which
// AutoASCONF has just told the peer about (and asked it to send to): the
// peer address that addr reaches best becomes our preferred destination.
// Data goes there as soon as a heartbeat confirms the path, one round trip
// after refreshSources probed it, so that the old address can go later
// without interrupting anything (make before break).
func (a *Association) follow(now time.Time, addr netip.Addr) {
	var best *path
	bestLen := -1
	for _, p := range a.paths {
		if p.local != addr {
			continue
		}
		if n := commonPrefixLen(p.remote.Addr().Unmap(), addr); n > bestLen {
			best, bestLen = p, n
		}
	}
	if best != nil && best != a.preferred {
		a.setPreferred(now, best)
	}
}

// firstCause is the code of the first cause in cs, for reporting.
func firstCause(cs wire.Causes) wire.CauseCode {
	it := cs.Iter()
	if c, ok := it.Next(); ok {
		return c.Code()
	}
	return wire.CauseProtocolViolation
}

// handleAsconf applies the peer's requests and answers with the
// ASCONF-ACK (RFC 5061 section 5.2).
func (a *Association) handleAsconf(now time.Time, rp *rxPacket, c wire.Chunk, first bool) bool {
	var req wire.Asconf
	if req.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	a.addip.cur = rp
	ack, _ := a.addip.rx.Handle(&req, addip.Packet{Source: rp.remote.Addr().Unmap(), First: first}, &asconfPeer{a, now})
	a.addip.cur = nil
	if ack != nil {
		a.reply(ack, rp) // to the source of the ASCONF (section 5.2 E6)
	}
	return true
}

// asconfPeer is the association as addip.Receiver sees it, at the time
// the ASCONF is processed.
type asconfPeer struct {
	a   *Association
	now time.Time
}

// AddPeerAddress adds a path to addr, reached on the UDP port the ASCONF
// came from, and verifies it by heartbeat before it carries data.
func (ap *asconfPeer) AddPeerAddress(addr netip.Addr) error {
	a := ap.a
	if a.pathTo(addr) != nil {
		return nil
	}
	from := a.addip.cur.remote
	_, err := a.addPeerPath(ap.now, netip.AddrPortFrom(addr, from.Port()), from.Addr().Unmap())
	return err
}

// addPeerPath adds an unconfirmed path to addr, an address of the peer
// learned from a packet from via, and probes it by heartbeat before it
// carries data.
func (a *Association) addPeerPath(now time.Time, addr netip.AddrPort, via netip.Addr) (*path, error) {
	if !a.ep.canReach(addr.Addr(), via) || slices.Contains(a.ep.conn.LocalAddrs(), addr.Addr()) {
		return nil, addip.ErrUnresolvableAddress // one of ours, or out of reach
	}
	if a.ep.owner(a, addr.Addr(), a.peerPort) != nil {
		return nil, addip.ErrNoAuthorization // another association's peer
	}
	if !a.roomForPath() {
		return nil, addip.ErrResourceShortage
	}
	p := a.addPath(addr, a.sourceFor(addr.Addr()))
	a.scheduleHeartbeat(now, p)
	a.reregister()
	a.emit(Event{Type: EventPathAdded, Addr: p.remote})
	return p, nil
}

// DeletePeerAddress removes the path to addr (or, for the wildcard, every
// path but the one to source).
func (ap *asconfPeer) DeletePeerAddress(addr, source netip.Addr) error {
	a := ap.a
	doomed := func(p *path) bool {
		return p.remote.Addr() == addr || (addr.IsUnspecified() && p.remote.Addr() != source)
	}
	kept := 0
	for _, p := range a.paths {
		if !doomed(p) {
			kept++
		}
	}
	switch {
	case kept == 0:
		return addip.ErrDeleteLastAddress
	case addr == source:
		return addip.ErrDeleteSourceAddress
	}
	for _, p := range slices.Clone(a.paths) {
		if doomed(p) {
			a.removePath(ap.now, p)
		}
	}
	a.reregister()
	return nil
}

// SetPeerPrimary makes the path to addr the preferred one.
func (ap *asconfPeer) SetPeerPrimary(addr netip.Addr) error {
	a := ap.a
	p := a.pathTo(addr)
	if p == nil {
		return addip.ErrUnresolvableAddress
	}
	a.setPreferred(ap.now, p)
	return nil
}

// removePath drops a path: what was in flight there goes to the current
// destination, and the primary moves if it was this path.
func (a *Association) removePath(now time.Time, p *path) {
	if a.pathManager.removePath(now, p) {
		a.primaryChanged()
	}
	if a.addip.target == p {
		a.addip.target = nil
	}
	a.movePathChunks(p, a.primary)
	if a.rx.sackPath == p {
		a.rx.sackPath = nil
	}
	a.emit(Event{Type: EventPathRemoved, Addr: p.remote})
}

// movePathChunks hands the chunks last sent on from, a path the peer
// deleted, to another path. What was outstanding there is retransmitted
// at once (RFC 5061 section 4.3 lets the sender do so): the peer no
// longer receives at that address, after a move most of it was lost, and
// a chunk merely moved would count as flight nowhere, so no T3 timer
// would ever retransmit it once the new path's own data is acknowledged;
// the peer's reassembly would then wait for it forever. A chunk whose
// SACK was on its way arrives twice, which the peer reports as a
// duplicate.
func (a *Association) movePathChunks(from, to *path) {
	s := &a.tx
	for tsn := s.cumAck + 1; s.ring.len() > 0 && tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c == nil || c.path != from {
			continue
		}
		a.removeFromFlight(c)
		c.path = to
		if c.state == chunkOutstanding {
			s.setState(c, chunkMarked)
			c.misses = 0
			c.timedOut = true // to an active path, not necessarily to
		}
	}
}

// reregister updates the endpoint's routing for the current peer
// addresses.
func (a *Association) reregister() { _ = a.ep.register(a, a.localTag, a.peerAddrs()) }

// AddLocalAddr tells the peer about a new local address with an ASCONF
// (RFC 5061 Add IP Address). The endpoint opens a socket on it first if
// it has none. The result arrives as an EventASCONF.
func (a *Association) AddLocalAddr(addr netip.Addr) error {
	if err := a.ep.bind(addr); err != nil {
		return err
	}
	err := ErrClosed
	a.exec(func(now time.Time) { err = a.addLocal(now, addr.Unmap(), false) })
	return err
}

// RemoveLocalAddr asks the peer to stop using a local address (Delete IP
// Address). The address stays in use until the peer acknowledges. The
// request for the last address the peer knows for us waits until
// AddLocalAddr gives a new one, and then goes after its Add IP Address
// and Set Primary Address.
func (a *Association) RemoveLocalAddr(addr netip.Addr) error {
	return a.asconfRequest(addip.DeleteIP, addr)
}

// SetPeerPrimary asks the peer to send to our address addr from now on
// (Set Primary Address).
func (a *Association) SetPeerPrimary(addr netip.Addr) error {
	return a.asconfRequest(addip.SetPrimary, addr)
}

func (a *Association) asconfRequest(op addip.Op, addr netip.Addr) error {
	err := ErrClosed
	a.exec(func(now time.Time) { err = a.queueASCONF(now, op, addr.Unmap()) })
	return err
}
