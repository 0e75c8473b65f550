package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// handleInit answers an INIT for an association that already exists: an
// INIT collision (section 5.2.1) or a peer that restarted (section 5.2.2).
// The answer is an INIT ACK whose cookie carries tie-tags, so the COOKIE
// ECHO that follows can be matched against this association (section
// 5.2.4).
func (a *Association) handleInit(now time.Time, rp *rxPacket, c wire.Chunk) {
	var init wire.Init
	if init.Decode(c) != nil || init.InitiateTag == 0 {
		a.badChunk(c)
		return
	}
	if a.state == stateShutdownAckSent {
		// Section 9.2: the peer has not seen our SHUTDOWN ACK yet.
		a.reply((&wire.ShutdownAck{}).Append(nil), rp)
		return
	}
	if cause := checkInit(&init); cause != nil {
		a.queueCtrlTo(abortChunk(cause), rp.remote, rp.local.Addr(), init.InitiateTag)
		return
	}
	pp := parsePeerParams(init.Params)
	if a.state != stateCookieWait && a.state != stateCookieEchoed {
		if added := a.newAddrs(rp.remote.Addr().Unmap(), pp.addrs); len(added) > 0 {
			// Section 5.2.2: a restart may not add addresses.
			cause := &wire.RestartAddrsCause{Addresses: addrParams(added)}
			a.queueCtrlTo(abortChunk(cause), rp.remote, rp.local.Addr(), init.InitiateTag)
			return
		}
	}
	ck := cookie{
		created:  now,
		lifetime: a.cfg.CookieLifetime + pp.preservative,
		localOS:  a.cfg.OutStreams,
		localMIS: a.cfg.MaxInStreams,
	}
	switch a.state {
	case stateCookieWait, stateCookieEchoed:
		// Section 5.2.1: answer with our original tag and TSN.
		ck.localTag, ck.localTSN = a.localTag, a.hs.localTSN
		ck.tieLocal = a.localTag
		if a.state == stateCookieEchoed {
			ck.tiePeer = a.peerTag
		}
	default:
		// Section 5.2.2: a new tag, with the current ones as tie-tags.
		ck.localTag, ck.localTSN = a.ep.newTag(), randUint32()
		ck.tieLocal, ck.tiePeer = a.localTag, a.peerTag
	}
	ck.bind(wire.Packet(rp.data), rp.local.Addr(), rp.remote.Addr())
	ack := a.ep.initAck(&ck, c, pp.report, rp.remote.Addr().Unmap())
	a.queueCtrlTo(ack, rp.remote, rp.local.Addr(), init.InitiateTag)
}

// newAddrs returns the addresses of an INIT (its source and its address
// parameters) that the association does not have.
func (a *Association) newAddrs(src netip.Addr, addrs []netip.Addr) []netip.Addr {
	var added []netip.Addr
	for _, addr := range append([]netip.Addr{src}, addrs...) {
		if a.pathTo(addr) == nil {
			added = append(added, addr)
		}
	}
	return added
}

// addrParams encodes addresses as a parameter list.
func addrParams(addrs []netip.Addr) wire.Params {
	var ps wire.Params
	for _, addr := range addrs {
		ps = wire.AppendParam(ps, &wire.AddressParam{Addr: addr})
	}
	return ps
}

// handleCookieEcho processes a COOKIE ECHO that reached an existing
// association, following Table 2 of section 5.2.4.
func (a *Association) handleCookieEcho(now time.Time, rp *rxPacket, c wire.Chunk) bool {
	var ce wire.CookieEcho
	if ce.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	ck, late, err := openCookie(ce.Cookie, a.ep.secret[:], now)
	if err != nil && err != errCookieStale {
		return false
	}
	if !ck.boundTo(wire.Packet(rp.data), rp.local.Addr().Unmap(), rp.remote.Addr().Unmap()) {
		a.ep.stats.cookiesForeign.Add(1) // section 5.1.5 step 3: silently discarded
		return false
	}
	localMatch := ck.localTag == a.localTag
	peerMatch := ck.init.InitiateTag == a.peerTag
	if err == errCookieStale && !(localMatch && peerMatch) {
		// Only a duplicate of the cookie that set up this association may
		// be past its lifetime (section 5.2.4 step 3).
		a.reply(errorChunk(staleCause(late)), rp)
		return false
	}
	switch {
	case !localMatch && !peerMatch && ck.tieLocal == a.localTag && ck.tiePeer == a.peerTag:
		return a.peerRestarted(now, rp, ck)
	case localMatch && !peerMatch:
		// (B) Both sides sent INIT: take the peer's tag and parameters.
		if a.state == stateCookieWait || a.state == stateCookieEchoed {
			pp := parsePeerParams(ck.init.Params)
			if cause := a.setupPeer(now, &ck.init, &pp, rp.remote, ck.localTSN, ck.localOS, ck.localMIS, ck.authParams()); cause != nil {
				a.abortWith(now, cause, errProtocolViolation)
				return false
			}
		} else {
			a.peerTag = ck.init.InitiateTag
			a.ep.setPeerTag(a, a.peerTag)
		}
		a.enterFromCookie(now)
	case !localMatch && peerMatch && ck.tieLocal == 0 && ck.tiePeer == 0:
		return false // (C) a late cookie of our own INIT ACK: discard
	case localMatch && peerMatch:
		// (D) A duplicate: the peer missed our COOKIE ACK.
		a.enterFromCookie(now)
	default:
		return false
	}
	a.reply((&wire.CookieAck{}).Append(nil), rp)
	return true
}

// enterFromCookie establishes the association if the handshake was still
// running.
func (a *Association) enterFromCookie(now time.Time) {
	if a.state == stateCookieWait || a.state == stateCookieEchoed {
		a.hs.t1 = time.Time{}
		a.establish(now)
	}
}

// peerRestarted handles case (A) of section 5.2.4: the peer lost its state
// and set up the association again. Our side starts over with the cookie's
// tags and TSNs; what was in flight is lost and reported as such.
func (a *Association) peerRestarted(now time.Time, rp *rxPacket, ck *cookie) bool {
	if a.state == stateShutdownAckSent {
		// Section 5.2.4 A: no restart while shutting down.
		a.reply(append((&wire.ShutdownAck{}).Append(nil), errorChunk(&wire.EmptyCause{Code: wire.CauseCookieWhileShuttingDown})...), rp)
		return false
	}
	a.failOutstanding(ErrPeerRestarted)
	a.errors = 0
	a.localTag = ck.localTag
	a.dropReceived()
	a.tx, a.rx = sender{}, receiver{}
	for _, p := range a.paths {
		*p = *newPath(p.remote, p.local, a.cfg)
	}
	pp := parsePeerParams(ck.init.Params)
	if cause := a.setupPeer(now, &ck.init, &pp, rp.remote, ck.localTSN, ck.localOS, ck.localMIS, ck.authParams()); cause != nil {
		a.abortWith(now, cause, errProtocolViolation)
		return false
	}
	a.state = stateEstablished
	a.startHeartbeats(now)
	a.emit(Event{Type: EventRestart})
	a.stats.Restarts++
	a.reply((&wire.CookieAck{}).Append(nil), rp)
	return true
}
