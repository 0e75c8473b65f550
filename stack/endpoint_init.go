package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// answerInit replies to an INIT that belongs to no association with an
// INIT ACK carrying a signed state cookie, keeping no state (RFC 9260
// section 5.1).
func (ep *Endpoint) answerInit(now time.Time, d *encap.Datagram, pkt wire.Packet, first wire.Chunk) *Association {
	var init wire.Init
	if init.Decode(first) != nil || len(first) != len(pkt)-wire.CommonHeaderLen && padLen(len(first)) != len(pkt)-wire.CommonHeaderLen {
		ep.stats.runts.Add(1) // malformed, or bundled with other chunks (section 6.10)
		return nil
	}
	if init.InitiateTag == 0 {
		return nil // section 5.1: silently discarded
	}
	ep.mu.Lock()
	listening := ep.accept != nil && !ep.closed
	ep.mu.Unlock()
	if listening && ep.full() {
		ep.refuseFull()
		ep.sendReply(d, init.InitiateTag, abortChunk(outOfResource))
		return nil
	}
	if cause := checkInit(&init); cause != nil || !listening {
		ep.sendReply(d, init.InitiateTag, abortChunk(cause))
		return nil
	}
	pp := parsePeerParams(init.Params)
	for _, addr := range pp.addrs {
		// An INIT that lists an address of an existing association goes
		// to it, as if it came from there (RFC 9260 section 5.2.2): a
		// restart may not add addresses, so it is aborted. No cookie is
		// handed out for another association's address.
		if a := ep.owner(nil, addr, pkt.SrcPort()); a != nil {
			return ep.enqueue(a, d)
		}
	}
	if pp.abort == nil {
		pp.abort = ep.checkPeerAuth(init.Params)
	}
	if pp.abort != nil {
		ep.sendReply(d, init.InitiateTag, abortChunk(pp.abort))
		return nil
	}
	ck := cookie{
		created:  now,
		lifetime: ep.cfg.CookieLifetime + pp.preservative,
		localTag: ep.newTag(),
		localTSN: randUint32(),
		localOS:  ep.cfg.OutStreams,
		localMIS: ep.cfg.MaxInStreams,
	}
	ck.bind(pkt, d.Local.Addr(), d.Remote.Addr())
	ep.stats.initsAnswered.Add(1)
	ep.sendReply(d, init.InitiateTag, ep.initAck(&ck, first, pp.report, d.Remote.Addr().Unmap()))
	return nil
}

// checkInit returns the cause to abort with if the INIT's mandatory fields
// are invalid (section 3.3.2).
func checkInit(init *wire.Init) wire.CauseValue {
	if init.OutStreams == 0 || init.InStreams == 0 {
		return &wire.EmptyCause{Code: wire.CauseInvalidMandatoryParam}
	}
	return nil
}

// initAck encodes the INIT ACK for ck, answering initChunk: our
// parameters, the signed cookie and the unrecognized parameters to report.
func (ep *Endpoint) initAck(ck *cookie, initChunk []byte, report wire.Params, peer netip.Addr) []byte {
	ck.ackParams = ep.localParams(nil, peer, ep.newAuthParams(), true)
	ps := append(wire.Params(nil), ck.ackParams...)
	raw := appendCookie(nil, ep.secret[:], ck, initChunk)
	ps = wire.AppendParam(ps, &wire.StateCookieParam{Cookie: raw})
	it := report.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		ps = wire.AppendParam(ps, &wire.RawParam{Type: p.Type(), Value: p.Value()})
	}
	ack := wire.InitAck{
		InitiateTag: ck.localTag,
		ARwnd:       uint32(ep.cfg.RecvBuffer),
		OutStreams:  ck.localOS,
		InStreams:   ck.localMIS,
		InitialTSN:  ck.localTSN,
		Params:      ps,
	}
	return ack.Append(nil)
}

// handleCookieEcho verifies the cookie of a COOKIE ECHO that did not match
// an association by tag, and creates the association it describes, or
// hands the packet to the existing association with that peer (section
// 5.2.4).
func (ep *Endpoint) handleCookieEcho(now time.Time, d *encap.Datagram, pkt wire.Packet, first wire.Chunk, peer *Association) *Association {
	var ce wire.CookieEcho
	if ce.Decode(first) != nil {
		ep.stats.cookiesBad.Add(1)
		return nil
	}
	ck, late, err := openCookie(ce.Cookie, ep.secret[:], now)
	switch {
	case err != nil && err != errCookieStale:
		ep.stats.cookiesBad.Add(1)
		return nil
	case !ck.boundTo(pkt, d.Local.Addr().Unmap(), d.Remote.Addr().Unmap()):
		// Section 5.1.5 step 3: silently discarded. Before the lifetime
		// check, so that a stolen cookie draws no answer either.
		ep.stats.cookiesForeign.Add(1)
		return nil
	case err == errCookieStale:
		ep.stats.cookiesStale.Add(1)
		ep.sendReply(d, ck.init.InitiateTag, errorChunk(staleCause(late)))
		return nil
	case peer != nil:
		return ep.enqueue(peer, d)
	}
	if ep.full() {
		ep.refuseFull()
		ep.sendReply(d, ck.init.InitiateTag, abortChunk(outOfResource))
		return nil
	}
	if ep.claimed(ck) {
		ep.stats.cookiesForeign.Add(1) // an INIT that raced with another association
		return nil
	}
	a := newAssociation(ep)
	a.peerPort = pkt.SrcPort()
	if cause := a.setupFromCookie(now, ck, d.Local.Addr().Unmap(), d.Remote); cause != nil {
		ep.sendReply(d, ck.init.InitiateTag, abortChunk(cause))
		return nil
	}
	a.publish() // its state, for an *AssociatedError of a Dial to this peer
	// A Dial to this peer may have registered since claimed: its INIT
	// crossed the peer's, whose COOKIE ECHO this is. Two associations
	// with one peer would each hold half the conversation; this one
	// gives way, and the peer's handshake meets the Dial's (section 5.2.4).
	if other, err := ep.registerAlone(a); other != nil || err != nil {
		if other != nil {
			ep.remove(a) // setupFromCookie registered it by its tag
			ep.stats.cookiesForeign.Add(1)
		}
		return nil
	}
	ep.setPeerTag(a, a.peerTag)
	// The COOKIE ECHO is queued before the loop starts: the loop's first
	// pass answers it, so the COOKIE ACK leads, before the heartbeat that
	// an unconfirmed path of the peer is due at once.
	ep.enqueue(a, d)
	ep.start(a)
	// The send happens under the lock so that Close cannot close the
	// channel in between.
	queued := false
	ep.mu.Lock()
	if !ep.closed && ep.accept != nil {
		select {
		case ep.accept <- a:
			queued = true
		default:
		}
	}
	ep.mu.Unlock()
	if !queued {
		a.exec(func(now time.Time) { a.abortWith(now, &wire.EmptyCause{Code: wire.CauseOutOfResource}, ErrBacklogFull) })
	}
	return a
}

// claimed reports whether a peer address of the cookie's INIT belongs to an
// existing association already.
func (ep *Endpoint) claimed(ck *cookie) bool {
	if ep.owner(nil, ck.peerAddr, ck.peerPort) != nil {
		return true
	}
	for _, addr := range parsePeerParams(ck.init.Params).addrs {
		if ep.owner(nil, addr, ck.peerPort) != nil {
			return true
		}
	}
	return false
}

// staleCause reports how long past its lifetime a cookie arrived.
func staleCause(late time.Duration) *wire.StaleCookieCause {
	return &wire.StaleCookieCause{StalenessMicros: uint32(min(late.Microseconds(), 1<<32-1))}
}

// setPeerTag records the tag the peer uses, for routing packets with the T
// bit.
func (ep *Endpoint) setPeerTag(a *Association, tag uint32) {
	ep.mu.Lock()
	a.routePeerTag = tag
	ep.mu.Unlock()
}

// abortChunk encodes an ABORT carrying cause (which may be nil).
func abortChunk(cause wire.CauseValue) []byte {
	ab := wire.Abort{}
	if cause != nil {
		ab.Causes = wire.AppendCause(nil, cause)
	}
	return ab.Append(nil)
}

// errorChunk encodes an ERROR carrying cause.
func errorChunk(cause wire.CauseValue) []byte {
	return (&wire.ErrorChunk{Causes: wire.AppendCause(nil, cause)}).Append(nil)
}
