package registrar

import (
	"time"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Conflicting claims on an element. RFC 5353 makes the sender of a Handle
// Update the element's home, which is right as long as updates arrive in
// the order the element moved. They need not: an element that registers
// at Y (failing over, or following Y's Keep-Alive with the Home flag)
// while its registration at X is still news sends two Handle Updates that
// cross, and a peer's table response may carry a claim made seconds
// before. Had X given the element up to Y's claim and Y to X's, the DelPE
// the loser sends once the element leaves its association would then
// remove the element from every table while it lives.
//
// So a registrar holding an element's live ASAP session does not simply
// give it up:
//
//   - A claim from a peer with a higher server ID on an element that
//     registered through a live session here is refused: the registrar
//     stays home and answers with its own Handle Update. Every other claim
//     wins, but the session stays bound to the element, on standby,
//     without keep-alives. The wire does not say which registration is
//     newer, so the server ID decides, as it does between table claims
//     after a partition (enrp.Machine's contested): the lower ID keeps,
//     the higher yields, and the yielding side never answers, so each
//     claim costs at most one answer. A session the element was only
//     sent a Home Keep-Alive on, without registering there, never keeps:
//     elements answer keep-alives on every association, so a live
//     association does not mean the element chose this registrar.
//   - A DelPE from the element's owner, or its owner's table leaving it
//     out, removes the element, unless its session here lives: then this
//     registrar becomes its home again, keep-alives it at once and
//     announces it. Whichever of two registrars the element really left,
//     the one it stays with ends up home; a third registrar that saw the
//     claims in another order follows the last Handle Update, or the
//     Presence audit.
//   - A DelPE from a peer that is not the owner changes nothing, except
//     that a registrar home for the element with a live session repeats
//     its Handle Update, for the peers that took the sender for the owner.
//
// The element's standby binding ends with its session, without removing
// the element, or moves to the session it registers through next.

// liveBinding returns e's session binding if its association lives.
func (c *core) liveBinding(e *handlespace.PoolElement) *member {
	if m := c.binding(e); m != nil && !m.sess.closed {
		return m
	}
	return nil
}

// keeps settles claimant's claim on e, an element in the handlespace: it
// reports whether this registrar stays e's home. If not, e's session
// binding, if any, stays on standby.
func (c *core) keeps(e *handlespace.PoolElement, claimant wire.ServerID, now time.Time) bool {
	m := c.liveBinding(e)
	if m == nil {
		return false
	}
	if c.member(e) != nil && m.registered && c.cfg.ServerID < claimant {
		c.enrp.stats.ClaimsRefused++
		c.log.Infof("kept %s/$%08x, registered here, against the claim of peer $%08x", Quote(e.Handle()), e.ID(), uint32(claimant))
		c.ownerChanged(e, wire.AddPE, now)
		return true
	}
	c.hs.StopTimer(e, handlespace.KeepAlive)
	c.hs.StopTimer(e, handlespace.KeepAliveTimeout)
	return false
}

// peerRemoved applies a peer's DelPE.
func (c *core) peerRemoved(a *enrpsm.Action, now time.Time) {
	e := c.hs.Lookup(a.Handle, uint32(a.Element.ID))
	switch {
	case e == nil:
	case e.Owner() == uint32(a.Owner):
		c.ownerDropped(e, now)
	case c.member(e) != nil && c.liveBinding(e) != nil:
		c.ownerChanged(e, wire.AddPE, now)
	}
}

// ownerDropped handles e's owner dropping it: e goes, unless this
// registrar holds its live session.
func (c *core) ownerDropped(e *handlespace.PoolElement, now time.Time) {
	if c.liveBinding(e) == nil {
		c.remove(e, RemovedByPeer, now)
		return
	}
	if _, _, err := c.hs.Register(enrpsm.Moved(e, c.cfg.ServerID), now); err != nil {
		return // cannot fail: the element keeps its policy
	}
	c.enrp.stats.Reclaimed++
	c.log.Infof("home again for %s/$%08x, whose session here lives", Quote(e.Handle()), e.ID())
	c.hs.SetTimer(e, handlespace.KeepAlive, now)
	c.rearm()
	c.ownerChanged(e, wire.AddPE, now)
}
