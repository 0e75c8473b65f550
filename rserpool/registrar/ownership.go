package registrar

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// An element belongs to the ASAP association that registered it (RFC 5355,
// registration and deregistration spoofing): PE identifiers are public,
// since every handle resolution lists them, so the identifier proves
// nothing. While the owner's association lives, a re-registration or a
// deregistration of the element through another association is refused
// with Rejection Due to Security Considerations, counted and logged. The
// element is free for another association once the owner's association
// has ended (which removes its elements) or failed its keep-alive (which
// removes the element and aborts the association); a refused claim sends
// the owner a keep-alive at once, so that an owner that is gone is found
// out within KeepAliveTimeout rather than a whole keep-alive cycle later.
//
// Ownership is tied to the association, not to its addresses: a mobile
// element that keeps its association across moves (ASCONF) keeps its
// element, and its re-registrations from the new address succeed.

// Claim is a request by an association to re-register or deregister an
// element that another, living, association registered. Config.TakeOver
// decides on it.
type Claim struct {
	Handle []byte // the element's pool handle; valid during the call only
	ID     wire.PEID
	// Association is the claimant's association, where it proved what
	// it could (SCTP-AUTH); nil if the registrar runs over another
	// implementation of its connection interface, as in tests.
	Association *stack.Association
	// From and Owner are the primary peer addresses of the claimant's
	// association and of the owner's.
	From, Owner netip.AddrPort
	// Authenticated and KeyID say which SCTP-AUTH key authenticated the
	// claim (stack.RecvInfo): with element keys (Config.ElementKeys), a
	// hook may let a claimant holding a key for the pool take over.
	Authenticated bool
	KeyID         uint16
}

// mayClaim reports whether s may re-register or deregister e: it is
// registered through s, or nothing of this registrar owns it, or its
// owner's association has ended, or Config.TakeOver allows it.
func (c *core) mayClaim(s *session, e *handlespace.PoolElement) bool {
	m := c.member(e)
	if m == nil || m.sess == s || m.sess.closed {
		return true
	}
	if c.cfg.TakeOver == nil {
		return false
	}
	a, _ := s.conn.(*stack.Association)
	return c.cfg.TakeOver(Claim{Handle: []byte(e.Handle()), ID: wire.PEID(e.ID()), Association: a, From: s.from, Owner: m.sess.from,
		Authenticated: s.key.ok, KeyID: s.key.id})
}

// refuseClaim counts and logs a refused claim on e by s and probes e's
// owner, if this registrar is its home, with a keep-alive now, unless one
// is already on its way.
func (c *core) refuseClaim(s *session, e *handlespace.PoolElement, what string, now time.Time) wire.Cause {
	c.stats.Refused.Ownership++
	m := c.member(e)
	if m == nil {
		c.log.Warnf("refused %s of %s/$%08x from %v: not registered here", what, Quote(e.Handle()), e.ID(), s.from)
		return wire.Cause{Code: wire.CauseRejectedSecurity}
	}
	c.log.Warnf("refused %s of %s/$%08x from %v: registered through the association from %v", what, Quote(e.Handle()), e.ID(), s.from, m.sess.from)
	if _, inFlight := c.hs.Deadline(e, handlespace.KeepAliveTimeout); !inFlight {
		c.hs.SetTimer(e, handlespace.KeepAlive, now)
		c.rearm()
	}
	return wire.Cause{Code: wire.CauseRejectedSecurity}
}
