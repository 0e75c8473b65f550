package registrar

import (
	"math"
	"time"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The delay-sensitive policies (draft-dreibholz-rserpool-delay) need each
// element's distance: how far, in milliseconds of round-trip time, it is
// from the pool users that ask this registrar. As in RSPLIB, the home
// registrar takes the smoothed round-trip time (SCTP's SRTT) of the
// element's ASAP association when it registers, and a registrar that
// learns the element from a peer adds the SRTT of its ENRP association
// with that peer. An element's own value is never trusted: the registrar
// always sets it. Distances are measured again at every re-registration,
// and for peers' elements whenever the peer sends them.

// distanceRefresh is how often a peer's ENRP association is asked for its
// round-trip time while messages arrive.
const distanceRefresh = time.Second

// distance returns the round-trip time of the primary path among paths in
// whole milliseconds, 0 before the first measurement. It takes the
// smallest sample rather than SRTT: a peer that has nothing to send
// holds its SACK back (up to 200 ms), which SRTT includes and a distance
// must not.
func distance(paths []stack.PathInfo) uint32 {
	for _, p := range paths {
		if p.Primary {
			rtt := p.MinRTT
			if rtt == 0 {
				rtt = p.SRTT
			}
			return uint32(min((rtt+time.Millisecond/2)/time.Millisecond, math.MaxUint32))
		}
	}
	return 0
}

// delaySensitive reports whether policies of type t carry a distance.
func delaySensitive(t wire.PolicyType) bool {
	switch t {
	case wire.PolicyWeightedRandomDPF, wire.PolicyLeastUsedDPF, wire.PolicyLeastUsedDegradationDPF:
		return true
	}
	return false
}

// withDistance returns p with distance d, if its policy has one.
func withDistance(p wire.Policy, d uint32) wire.Policy {
	if delaySensitive(p.Type) {
		p.Distance = d
	}
	return p
}

// addLinkDistance adds to the distance of the element in a, learned from
// a peer, the round-trip time of the association with that peer; the
// caller holds c.mu.
func (c *core) addLinkDistance(a *enrpsm.Action) {
	pol := &a.Element.Policy
	if l := c.enrp.links[a.Owner]; l != nil && delaySensitive(pol.Type) {
		pol.Distance = uint32(min(uint64(pol.Distance)+uint64(l.dist), math.MaxUint32))
	}
}
