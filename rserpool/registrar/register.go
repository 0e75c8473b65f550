package registrar

import (
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// register answers a Registration (RFC 5352): it adds or
// updates the element, makes this registrar its home and s its session,
// and restarts its keep-alive cycle, or refuses it with the cause that
// says why.
func (c *core) register(s *session, reg *wire.Registration, peer []netip.Addr, now time.Time) {
	resp := wire.RegistrationResponse{Handle: reg.Handle, PEID: reg.Element.ID}
	e, created, cause, bad := c.admit(s, reg, peer, now)
	if bad {
		if resp.Reject, resp.Error.Causes = true, []wire.Cause{cause}; wire.ASAPLen(&resp) > maxMessage {
			// The handle and the parameter at fault do not both fit.
			cause = causeWith(cause.Code, nil)
			resp.Error.Causes[0] = cause
		}
		c.stats.RegistrationsRefused++
		c.stats.causeSent(cause.Code)
		c.events.Post(Event{Type: EventRejected, Time: now, Handle: string(reg.Handle), ID: reg.Element.ID, From: s.from, Cause: cause.Code})
		c.log.Infof("refused %s/$%08x from %v: %v", Quote(string(reg.Handle)), uint32(reg.Element.ID), s.from, cause.Code)
	} else {
		c.accepted(s, e, created, peer, now)
	}
	s.out.buf = wire.AppendASAP(s.out.buf, &resp)
	s.out.mark(wire.PPIDASAP)
}

// admit checks a registration through s and enters it into the
// handlespace.
func (c *core) admit(s *session, reg *wire.Registration, peer []netip.Addr, now time.Time) (e *handlespace.PoolElement, created bool, cause wire.Cause, bad bool) {
	if cause, bad := c.check(s, reg, peer, now); bad {
		return nil, false, cause, true
	}
	pe := &reg.Element
	e, created, err := c.hs.Register(handlespace.Registration{
		Handle:    reg.Handle,
		ID:        uint32(pe.ID),
		Home:      uint32(c.cfg.ServerID),
		Owner:     uint32(c.cfg.ServerID),
		Lifetime:  min(time.Duration(pe.RegLife)*time.Millisecond, c.cfg.MaxLifetime),
		Transport: wire.AppendParam(nil, &pe.UserTransport),
		Policy:    withDistance(pe.Policy, s.dist),
	}, now)
	if err != nil {
		return nil, false, policyCause(err, pe.Policy), true
	}
	return e, created, wire.Cause{}, false
}

// check applies the rules a registration through s must pass before it
// reaches the handlespace, which checks the policy last: the values of the
// request itself first, then who owns the element, then what concerns the
// whole handlespace and the pool. It leaves the user transport's addresses
// unmapped and without repeats.
func (c *core) check(s *session, reg *wire.Registration, peer []netip.Addr, now time.Time) (wire.Cause, bool) {
	pe := &reg.Element
	switch {
	case len(reg.Handle) > c.cfg.MaxHandleLen:
		return invalidHandle(reg.Handle, c.cfg.MaxHandleLen), true
	case pe.ID == 0 || pe.RegLife == 0:
		// RSPLIB reserves identifier 0 for "none", and a registration
		// that expires at once is no registration.
		return withParam(wire.CauseInvalidValues, pe), true
	case !ownedBy(pe.UserTransport.Addrs, peer):
		// RFC 5352: the user transport addresses must be the
		// element's own, as its association shows them; otherwise
		// anyone could point pool users at a victim.
		return wire.Cause{Code: wire.CauseRejectedSecurity}, true
	}
	if cause, bad := c.checkKey(s, reg); bad {
		return cause, true
	}
	pe.UserTransport.Addrs = uniqueUnmapped(pe.UserTransport.Addrs)
	e := c.hs.Lookup(reg.Handle, uint32(pe.ID))
	if e != nil && !c.mayClaim(s, e) {
		return c.refuseClaim(s, e, "re-registration", now), true
	}
	if e == nil || c.member(e) == nil || c.member(e).sess != s { // the element comes to s
		if cause, over := c.overLimit(s, reg.Handle); over {
			return cause, true
		}
	}
	return c.checkPoolTransport(reg.Handle, pe.ID, &pe.UserTransport)
}

// checkKey refuses a registration that no element key allowing its pool
// authenticated, when element keys are configured (RFC 5355).
func (c *core) checkKey(s *session, reg *wire.Registration) (wire.Cause, bool) {
	switch c.keys.allows(s.key, reg.Handle) {
	case keyMissing:
		c.stats.Refused.NoKey++
		c.log.Warnf("refused %s/$%08x from %v: not authenticated with an element key", Quote(string(reg.Handle)), uint32(reg.Element.ID), s.from)
	case keyOtherPool:
		c.stats.Refused.KeyPool++
		c.log.Warnf("refused %s/$%08x from %v: element key %d does not allow the pool", Quote(string(reg.Handle)), uint32(reg.Element.ID), s.from, s.key.id)
	default:
		return wire.Cause{}, false
	}
	return wire.Cause{Code: wire.CauseRejectedSecurity}, true
}

// invalidHandle returns the Invalid Values cause for a pool handle longer
// than max. It carries the handle cut to max+1 bytes: enough to show what
// is wrong, and it fits in the response beside the echoed handle however
// long that is.
func invalidHandle(h wire.PoolHandle, max int) wire.Cause {
	return withParam(wire.CauseInvalidValues, h[:min(len(h), max+1)])
}

// ownedBy reports whether every address is among the peer's addresses.
func ownedBy(addrs, peer []netip.Addr) bool {
	for _, a := range addrs {
		if !slices.Contains(peer, a.Unmap()) {
			return false
		}
	}
	return true
}

// uniqueUnmapped unmaps IPv4-mapped IPv6 addresses (pool users get the
// form the association uses) and drops repeats, in place, keeping the
// order. The addresses are the peer's (ownedBy), so there are few.
func uniqueUnmapped(addrs []netip.Addr) []netip.Addr {
	out := addrs[:0]
	for _, a := range addrs {
		if a = a.Unmap(); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// checkPoolTransport checks that t agrees with the transport of the other
// elements of the pool: same protocol, same use for data and control (the
// Inconsistent Transport Type and Inconsistent Data/Control Configuration
// causes of RFC 5352).
func (c *core) checkPoolTransport(handle []byte, id wire.PEID, t *wire.Transport) (wire.Cause, bool) {
	other := c.anotherElement(handle, id)
	if other == nil {
		return wire.Cause{}, false
	}
	var ot wire.Transport
	decodeTransport(other.Transport(), &ot)
	switch {
	case ot.Type != t.Type:
		return withParam(wire.CauseInconsistentTransport, t), true
	case ot.Use != t.Use:
		return wire.Cause{Code: wire.CauseInconsistentDataControl}, true
	}
	return wire.Cause{}, false
}

// anotherElement returns an element of the pool other than id, or nil.
// The pool's elements agree with each other, so any one stands for all.
func (c *core) anotherElement(handle []byte, id wire.PEID) *handlespace.PoolElement {
	p := c.hs.Pool(handle)
	if p == nil {
		return nil
	}
	for e := range p.All() {
		if e.ID() != uint32(id) {
			return e
		}
	}
	return nil
}

// policyCause maps a handlespace registration error to its cause.
func policyCause(err error, p wire.Policy) wire.Cause {
	var inconsistent *policy.InconsistentError
	if errors.As(err, &inconsistent) {
		return withParam(wire.CauseInconsistentPolicy, p)
	}
	return withParam(wire.CauseInvalidValues, p) // a policy this registrar does not implement
}

// accepted finishes a successful registration of e through s.
func (c *core) accepted(s *session, e *handlespace.PoolElement, created bool, peer []netip.Addr, now time.Time) {
	c.bind(e, s)
	c.binding(e).registered = true
	s.asap = wire.Transport{Type: wire.ParamSCTPTransport, Port: s.conn.PeerPort(), Addrs: peer}
	// A registration proves the element alive: its keep-alive cycle
	// starts over, abandoning any keep-alive in flight, as in RSPLIB.
	c.hs.StopTimer(e, handlespace.KeepAliveTimeout)
	c.hs.SetTimer(e, handlespace.KeepAlive, now.Add(c.cfg.KeepAliveInterval))
	c.rearm()

	c.ownerChanged(e, wire.AddPE, now)
	typ := EventReregistered
	if created {
		typ = EventRegistered
		c.stats.Registrations++
		c.log.Infof("registered %q/$%08x from %v", e.Handle(), e.ID(), s.from)
	} else {
		c.stats.Reregistrations++
		c.log.Debugf("re-registered %q/$%08x from %v", e.Handle(), e.ID(), s.from)
	}
	info := c.element(e)
	c.events.Post(Event{Type: typ, Time: now, Handle: e.Handle(), ID: wire.PEID(e.ID()), Element: &info, From: s.from})
}

// deregister answers a Deregistration. Only the session the element
// registered through may remove it while it lives (see mayClaim). An
// element that is not there counts as removed, as in RSPLIB: it may have
// expired just before.
func (c *core) deregister(s *session, d *wire.Deregistration, now time.Time) {
	c.stats.Deregistrations++
	resp := wire.DeregistrationResponse{Handle: d.Handle, PEID: d.PEID}
	if e := c.hs.Lookup(d.Handle, uint32(d.PEID)); e != nil {
		if c.member(e) != nil && c.mayClaim(s, e) { // not an element another registrar serves
			c.remove(e, RemovedDeregistered, now)
		} else {
			cause := c.refuseClaim(s, e, "deregistration", now)
			resp.Error.Causes = []wire.Cause{cause}
			c.stats.causeSent(cause.Code)
		}
	}
	s.out.buf = wire.AppendASAP(s.out.buf, &resp)
	s.out.mark(wire.PPIDASAP)
}
