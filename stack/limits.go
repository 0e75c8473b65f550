package stack

import (
	"errors"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Limits on what peers can make the endpoint hold or send; each has a
// Config field, an answer for the peer and a counter.

// ErrTooManyAssociations: the endpoint has Config.MaxAssociations.
var ErrTooManyAssociations = errors.New("sctp: too many associations on this endpoint")

// outOfResource is the cause of the ABORT that refuses an association
// beyond the limit (RFC 9260 section 3.3.10.4).
var outOfResource = &wire.EmptyCause{Code: wire.CauseOutOfResource}

// full reports whether the endpoint has as many associations as it may;
// each has exactly one entry by tag.
func (ep *Endpoint) full() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.fullLocked()
}

func (ep *Endpoint) fullLocked() bool { return len(ep.byTag) >= ep.cfg.MaxAssociations }

// refuseFull counts an INIT or COOKIE ECHO refused for the limit.
func (ep *Endpoint) refuseFull() { ep.stats.assocsRefused.Add(1) }

// roomForPath reports whether the association may add another peer
// address, counting the one refused if not.
func (a *Association) roomForPath() bool {
	if len(a.paths) < a.cfg.MaxPeerAddrs {
		return true
	}
	a.ep.stats.peerAddrsIgnored.Add(1)
	return false
}

// heartbeatAllowed takes a token for a HEARTBEAT to p if p is unconfirmed;
// without one the probe waits an RTO of p.
func (a *Association) heartbeatAllowed(now time.Time, p *path) bool {
	if p.state != PathUnconfirmed || a.ep.hbLimit.allow(now) {
		return true
	}
	a.ep.stats.hbThrottled.Add(1)
	p.hbDue = now.Add(p.rto.rto)
	return false
}

// rxChunkOverhead is what one received chunk or message costs beyond its
// payload while the association holds it: its fragment or message record,
// its share of the TSN map and of the slices that hold them, about 100
// bytes as measured by TestHoleFloodMemoryBound, rounded up. It is
// counted against the receive window with the payload.
const rxChunkOverhead = 128

// rxCost is the receive buffer space of a chunk or message of n bytes.
func rxCost(n int) int { return n + rxChunkOverhead }

// shrinkCap is the capacity above which an emptied slice is released
// rather than kept for reuse, so that the memory of a burst (a flood of
// tiny chunks, say) goes back once it is over.
const shrinkCap = 256

// shrink returns s, or nil if s is empty and holds more than shrinkCap
// elements of capacity.
func shrink[T any](s []T) []T {
	if len(s) == 0 && cap(s) > shrinkCap {
		return nil
	}
	return s
}
