package stack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// handlePacket processes one received packet, chunk by chunk, in order
// (RFC 9260 section 8.5 for tags, 3.2 for unknown chunk types).
func (a *Association) handlePacket(now time.Time, rp *rxPacket) {
	pkt := wire.Packet(rp.data)
	a.stats.PacketsReceived++
	a.stats.BytesReceived += uint64(len(rp.data))
	it := pkt.Chunks()
	first, _ := it.Next()
	if !a.acceptable(now, rp, first) {
		a.stats.PacketsDropped++
		return
	}
	from := a.pathTo(rp.remote.Addr().Unmap())
	if from != nil {
		a.learnPort(from, rp, first)
		from.stats.PacketsReceived++
		from.stats.BytesReceived += uint64(len(rp.data))
	}
	var report wire.Causes
	var ac authCheck
	hadData, firstAsconf := false, true
	it = pkt.Chunks()
	for c, ok := it.Next(); ok && a.state != stateClosed; c, ok = it.Next() {
		if a.mustDrop(&ac, c.Type()) {
			continue // RFC 4895 section 6.3: not authenticated as required
		}
		cont := true
		switch c.Type() {
		case wire.TypeData, wire.TypeIData:
			if from == nil || !a.dataAllowed() {
				continue
			}
			hadData = true
			cont = a.handleData(now, rp, from, c, ac.tag)
		case wire.TypeSack:
			if a.dataAllowed() {
				cont = a.handleSack(now, c)
			}
		case wire.TypeForwardTSN, wire.TypeIForwardTSN:
			if a.dataAllowed() {
				cont = a.handleForwardTSN(c)
			}
		case wire.TypeHeartbeat:
			a.handleHeartbeat(rp, c)
		case wire.TypeHeartbeatAck:
			a.handleHeartbeatAck(now, c)
		case wire.TypeInit:
			a.handleInit(now, rp, c)
			cont = false
		case wire.TypeInitAck:
			a.handleInitAck(now, rp, c)
			cont = false
		case wire.TypeCookieEcho:
			cont = a.handleCookieEcho(now, rp, c)
		case wire.TypeCookieAck:
			a.handleCookieAck(now)
		case wire.TypeShutdown:
			cont = a.handleShutdown(now, rp, c)
		case wire.TypeShutdownAck:
			a.handleShutdownAck(now, rp)
		case wire.TypeShutdownComplete:
			a.handleShutdownComplete(rp, c)
		case wire.TypeAbort:
			a.handleAbort(rp, c)
		case wire.TypeError:
			a.handleError(now, c)
		case wire.TypeAuth:
			if a.auth == nil {
				report, cont = a.unknown(c, report)
				break
			}
			cont = a.verify(now, &ac, rp, it.Offset(), c)
		case wire.TypeAsconf:
			if a.addip.rx == nil {
				report, cont = a.unknown(c, report)
				break
			}
			a.stats.AsconfsReceived++
			if a.paramLengthViolation(now, c) {
				cont = false
				break
			}
			cont = a.handleAsconf(now, rp, c, firstAsconf)
			firstAsconf = false
		case wire.TypeAsconfAck:
			if a.addip.tx == nil {
				report, cont = a.unknown(c, report)
				break
			}
			if a.paramLengthViolation(now, c) {
				cont = false
				break
			}
			cont = a.handleAsconfAck(now, c)
		case wire.TypeReconfig:
			if !a.peer.reconfig {
				report, cont = a.unknown(c, report)
				break
			}
			a.handleReconfig(now, c)
		case wire.TypeECNE, wire.TypeCWR, wire.TypePad:
			// We never announce ECN, so ECNE and CWR carry nothing for us;
			// PAD is there to be ignored (RFC 4820).
		default:
			report, cont = a.unknown(c, report)
		}
		if !cont {
			break
		}
	}
	if it.Err() != nil {
		a.stats.MalformedChunks++
	}
	if len(report) > 0 && a.dataAllowed() {
		a.reply((&wire.ErrorChunk{Causes: report}).Append(nil), rp)
	}
	if hadData {
		a.afterDataPacket(now)
	}
	a.deliverReady()
	if a.state == stateShutdownSent && hadData {
		// Section 9.2: every packet with DATA in SHUTDOWN-SENT is
		// answered with SHUTDOWN.
		a.sendShutdown(now)
	}
}

// acceptable checks the verification tag rules of section 8.5.1 that the
// router could not: packets with our tag must come from the peer's port,
// and only INIT, ABORT and SHUTDOWN COMPLETE may carry another tag. A
// packet to a local address outside the association is out of the blue
// (section 8.4), and answered as such.
func (a *Association) acceptable(now time.Time, rp *rxPacket, first wire.Chunk) bool {
	pkt := wire.Packet(rp.data)
	if pkt.SrcPort() != a.peerPort {
		return false
	}
	vtag := pkt.VerificationTag()
	switch first.Type() {
	case wire.TypeInit:
		return vtag == 0
	case wire.TypeCookieEcho:
		return true // the cookie decides (section 5.2.4)
	}
	if !a.ownsLocal(rp.local.Addr().Unmap()) && !a.inFlight(now, rp.local.Addr().Unmap(), pkt) {
		a.stats.OutOfTheBlue++
		d := encap.Datagram{Data: rp.data, Local: rp.local, Remote: rp.remote}
		a.ep.outOfTheBlue(now, &d, pkt, first)
		return false
	}
	known := a.pathTo(rp.remote.Addr().Unmap()) != nil
	switch first.Type() {
	case wire.TypeAbort, wire.TypeShutdownComplete:
		// Only the peer may end the association: from another address
		// the tag proves nothing (sections 8.4 and 8.5.1 B).
		if !known {
			a.stats.ForeignAborts++
		}
		return known && a.tagValid(rp, first)
	}
	if vtag != a.localTag {
		return false
	}
	// A packet from an address that is not the peer's would be out of the
	// blue, unless it answers our INIT from another of the peer's
	// addresses, or brings an authenticated ASCONF that may add that
	// address (RFC 5061 section 5.2; the AUTH is verified before the
	// ASCONF is applied).
	if known || first.Type() == wire.TypeInitAck {
		return true
	}
	return a.addip.rx != nil && first.Type() == wire.TypeAuth && carries(pkt, wire.TypeAsconf)
}

// drainingAddr is a local address the peer has agreed to delete: DATA and
// SACKs it sent there before it learned of the deletion may arrive until
// the deadline.
type drainingAddr struct {
	addr  netip.Addr
	until time.Time
}

// drain starts the drain time of a deleted local address: one RTO of the
// primary path, long enough for what the peer had in flight.
func (a *Association) drain(now time.Time, addr netip.Addr) {
	l := &a.addip
	l.draining = slices.DeleteFunc(l.draining, func(d drainingAddr) bool { return !now.Before(d.until) })
	l.draining = append(l.draining, drainingAddr{addr, now.Add(a.primary.rto.rto)})
}

// inFlight reports whether a packet to local address addr, deleted from
// the association, is data the peer sent before it knew: DATA or a SACK
// within the drain time. Anything else there is out of the blue, as RFC
// 9260 section 8.4 says, a HEARTBEAT in particular.
func (a *Association) inFlight(now time.Time, addr netip.Addr, pkt wire.Packet) bool {
	it := pkt.Chunks()
	c, ok := it.Next()
	if ok && c.Type() == wire.TypeAuth {
		c, ok = it.Next()
	}
	if !ok || (c.Type() != wire.TypeData && c.Type() != wire.TypeIData && c.Type() != wire.TypeSack) {
		return false
	}
	for _, d := range a.addip.draining {
		if d.addr == addr && now.Before(d.until) {
			return true
		}
	}
	return false
}

// ownsLocal reports whether addr is one of the association's local
// addresses: announced in the handshake or added since, or on its way in
// (the peer may use it as soon as it has our ASCONF). Before the handshake
// settles the set, every address of the endpoint is.
func (a *Association) ownsLocal(addr netip.Addr) bool {
	l := &a.addip
	return len(l.locals) == 0 || slices.Contains(l.locals, addr) || slices.Contains(l.adding, addr)
}

// learnPort takes the peer's UDP source port for this path from a packet
// whose verification tag checked out (RFC 6951 section 5.4): a NAT may
// have changed it.
func (a *Association) learnPort(p *path, rp *rxPacket, first wire.Chunk) {
	t := first.Type()
	if t == wire.TypeInit || t == wire.TypeCookieEcho || p.remote.Port() == rp.remote.Port() {
		return
	}
	p.remote = netip.AddrPortFrom(p.remote.Addr(), rp.remote.Port())
	a.stats.PortChanges++
}

// unknown applies the action bits of an unrecognized (or not negotiated)
// chunk type (section 3.2): report it in an ERROR, and tell whether
// processing of the packet continues.
func (a *Association) unknown(c wire.Chunk, report wire.Causes) (wire.Causes, bool) {
	a.stats.UnknownChunks++
	act := c.Type().Action()
	if act.Report() {
		report = wire.AppendCause(report, &wire.UnrecognizedChunkCause{Chunk: c})
	}
	return report, !act.Stop()
}

// carries reports whether the packet has a chunk of type t.
func carries(pkt wire.Packet, t wire.ChunkType) bool {
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type() == t {
			return true
		}
	}
	return false
}
