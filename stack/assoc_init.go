package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// handshake is the state of association setup (RFC 9260 section 5).
type handshake struct {
	t1        time.Time // T1-init or T1-cookie deadline
	t1Sends   int       // transmissions of the current INIT or COOKIE ECHO
	t1RTO     rtoCalc   // backed off per retransmission
	initOut   []byte    // our INIT, for retransmission and collisions
	echo      []byte    // our COOKIE ECHO (with any ERROR bundled)
	localTSN  uint32
	authLocal *auth.Params // our AUTH parameters, as sent in the INIT
}

// startDial sends the INIT of an association we initiate (section 5.1 A).
func (a *Association) startDial(now time.Time, remotes []netip.AddrPort) {
	for _, r := range remotes {
		a.addPath(r, a.ep.sourceFor(r.Addr()))
	}
	a.startOn(a.paths[0])
	a.hs.localTSN = randUint32()
	a.hs.authLocal = a.ep.newAuthParams()
	init := wire.Init{
		InitiateTag: a.localTag,
		ARwnd:       uint32(a.cfg.RecvBuffer),
		OutStreams:  a.cfg.OutStreams,
		InStreams:   a.cfg.MaxInStreams,
		InitialTSN:  a.hs.localTSN,
		Params:      a.ep.localParams(nil, a.primary.remote.Addr(), a.hs.authLocal, false),
	}
	a.hs.initOut = init.Append(nil)
	a.state = stateCookieWait
	a.hs.t1RTO = newRTO(a.cfg.RTOInitial, a.cfg.RTOMin, a.cfg.RTOMax)
	a.hs.t1Sends = 0
	a.sendT1(now)
}

// sendT1 (re)sends the INIT or COOKIE ECHO and arms T1.
func (a *Association) sendT1(now time.Time) {
	p := a.primary
	if a.state == stateCookieWait {
		a.queueCtrlTo(a.hs.initOut, p.remote, p.local, 0)
	} else {
		a.queueCtrl(a.hs.echo, p)
	}
	a.hs.t1Sends++
	a.dial.sent()
	a.hs.t1 = now.Add(a.hs.t1RTO.rto)
}

// onT1 retransmits INIT or COOKIE ECHO with backoff, giving up after
// Max.Init.Retransmits (section 5.1 C and D).
func (a *Association) onT1(now time.Time) {
	a.hs.t1 = time.Time{}
	if a.state != stateCookieWait && a.state != stateCookieEchoed {
		return
	}
	if a.hs.t1Sends > a.cfg.MaxInitRetrans {
		a.terminate(ErrHandshakeTimeout)
		return
	}
	a.hs.t1RTO.backoff()
	if a.state == stateCookieWait {
		a.rotateInit()
	}
	a.stats.Retransmissions++
	a.sendT1(now)
	if a.state == stateCookieWait && a.dial.retrying != nil {
		a.dial.retrying(a.primary.remote, a.hs.t1Sends)
	}
}

// handleInitAck processes the peer's INIT ACK in COOKIE-WAIT (section 5.1
// C); in any other state it is discarded (section 5.2.3).
func (a *Association) handleInitAck(now time.Time, rp *rxPacket, c wire.Chunk) bool {
	if a.state != stateCookieWait {
		return false
	}
	var ack wire.InitAck
	if ack.Decode(c) != nil {
		a.badChunk(c)
		return false
	}
	init := wire.Init(ack)
	if init.InitiateTag == 0 {
		a.abortWith(now, &wire.EmptyCause{Code: wire.CauseInvalidMandatoryParam}, errProtocolViolation)
		return false
	}
	if cause := checkInit(&init); cause != nil {
		a.abortWithTag(now, cause, init.InitiateTag, errProtocolViolation)
		return false
	}
	pp := parsePeerParams(init.Params)
	switch {
	case pp.abort != nil:
		a.abortWithTag(now, pp.abort, init.InitiateTag, errProtocolViolation)
		return false
	case pp.cookie == nil:
		a.abortWithTag(now, &wire.MissingParamCause{Types: []wire.ParamType{wire.ParamStateCookie}}, init.InitiateTag, errProtocolViolation)
		return false
	}
	if a.refuseAssociated(rp.remote.Addr(), pp.addrs) {
		return false
	}
	if cause := a.setupPeer(now, &init, &pp, rp.remote, a.hs.localTSN, a.cfg.OutStreams, a.cfg.MaxInStreams, a.hs.authLocal); cause != nil {
		a.abortWithTag(now, cause, init.InitiateTag, errProtocolViolation)
		return false
	}
	echo := (&wire.CookieEcho{Cookie: pp.cookie}).Append(nil)
	if len(pp.report) > 0 {
		// Section 5.1: unrecognized parameters are reported in an ERROR
		// bundled after the COOKIE ECHO.
		echo = append(echo, errorChunk(&wire.UnrecognizedParamsCause{Params: pp.report})...)
	}
	a.hs.echo = echo
	a.state = stateCookieEchoed
	a.hs.t1RTO = newRTO(a.cfg.RTOInitial, a.cfg.RTOMin, a.cfg.RTOMax)
	a.hs.t1Sends = 0
	a.sendT1(now)
	return true
}

// handleCookieAck completes an association we initiated (section 5.1 E).
func (a *Association) handleCookieAck(now time.Time) {
	if a.state != stateCookieEchoed {
		return
	}
	a.hs.t1 = time.Time{}
	a.establish(now)
}

// setupPeer applies the peer's INIT or INIT ACK: its tag, TSN, window,
// streams, addresses and extensions, with localAuth our AUTH parameters.
// It returns the cause to abort with if the peer's parameters are unusable.
func (a *Association) setupPeer(now time.Time, init *wire.Init, pp *peerParams, from netip.AddrPort, localTSN uint32, localOS, localMIS uint16, localAuth *auth.Params) wire.CauseValue {
	if cause := a.setupAuth(localAuth, init.Params); cause != nil {
		return cause
	}
	a.peerTag = init.InitiateTag
	a.ep.setPeerTag(a, a.peerTag)
	a.peer = a.ep.negotiate(pp)
	src := from.Addr().Unmap()
	if a.pathTo(src) == nil {
		a.addPath(netip.AddrPortFrom(src, from.Port()), a.ep.sourceFor(src))
	}
	for _, addr := range pp.addrs {
		// Addresses of a family we have no socket for cannot be reached.
		if a.pathTo(addr) == nil && a.ep.canReach(addr, src) && a.roomForPath() {
			a.addPath(netip.AddrPortFrom(addr, from.Port()), a.ep.sourceFor(addr))
		}
	}
	a.startOn(a.pathTo(src))
	a.primary.activeSince = now
	out := min(localOS, init.InStreams)
	in := min(localMIS, init.OutStreams)
	a.tx.init(now, localTSN, out, int(init.ARwnd), a.peer.idata, a.peer.prsctp)
	a.rx.init(init.InitialTSN, in, a.peer.idata, a.cfg.RecvBuffer)
	a.receiveWindow() // counts queuedMax: after a restart, the queues may hold messages
	a.setupAddIP(pp, localTSN, init.InitialTSN)
	a.reconf.init(localTSN, init.InitialTSN)
	_ = a.ep.register(a, a.localTag, a.peerAddrs())
	return nil
}

// setupFromCookie creates the state of an association a peer initiated,
// from a verified cookie (section 5.1 D); the COOKIE ECHO itself is then
// processed as a duplicate (section 5.2.4 D), which sends the COOKIE ACK.
// It returns the cause to abort with if the peer's parameters are
// unusable; the association must then not be used.
func (a *Association) setupFromCookie(now time.Time, ck *cookie, local netip.Addr, from netip.AddrPort) wire.CauseValue {
	a.localTag = ck.localTag
	pp := parsePeerParams(ck.init.Params)
	// The INIT's source is the peer's too, even when the COOKIE ECHO came
	// from another of the addresses it listed (section 5.1.2).
	pp.addrs = append([]netip.Addr{ck.peerAddr}, pp.addrs...)
	if cause := a.setupPeer(now, &ck.init, &pp, from, ck.localTSN, ck.localOS, ck.localMIS, ck.authParams()); cause != nil {
		return cause
	}
	a.primary.local = local
	// The cookie's creation time, which we signed, dates our INIT ACK: the
	// COOKIE ECHO answers it at once, with no delayed SACK in between. It
	// seeds only the path's minimum RTT (whole milliseconds); the RTO
	// waits for samples of its own.
	a.primary.rto.observe(now.Sub(ck.created))
	a.establish(now)
	return nil
}

// establish enters ESTABLISHED and tells the application.
func (a *Association) establish(now time.Time) {
	a.state = stateEstablished
	// Only the handshake resends these; an idle association need not
	// keep them.
	a.hs.initOut, a.hs.echo = nil, nil
	a.publish()
	a.emit(Event{Type: EventCommUp})
	a.startHeartbeats(now)
	select {
	case <-a.up:
	default:
		close(a.up)
	}
}
