package registrar

import (
	"fmt"
	"maps"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// RemovalReason says why a pool element left the handlespace.
type RemovalReason uint8

// Removal reasons.
const (
	RemovedDeregistered     RemovalReason = iota // the element deregistered
	RemovedKeepAliveTimeout                      // no Endpoint Keep-Alive Ack in time
	RemovedExpired                               // registration life ran out
	RemovedUnreachable                           // pool users reported it unreachable
	RemovedAssociation                           // its ASAP association ended
	RemovedByPeer                                // its owner, a peer registrar, removed it (ENRP)
	removalReasons
)

var reasonNames = [...]string{"deregistered", "keep-alive timeout", "expired", "unreachable", "association ended", "removed by peer"}

func (r RemovalReason) String() string {
	if r < removalReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("RemovalReason(%d)", uint8(r))
}

// Removals counts removed pool elements by reason.
type Removals struct {
	Deregistered, KeepAliveTimeout, Expired, Unreachable, Association uint64
	ByPeer                                                            uint64
}

// Stats is a snapshot of a registrar's counters.
type Stats struct {
	ServerID             wire.ServerID
	Pools, Elements      int    // in the handlespace now
	Sessions             int    // ASAP associations open now
	SessionsTotal        uint64 // ever accepted
	Registrations        uint64 // new elements
	Reregistrations      uint64 // updates of registered elements
	RegistrationsRefused uint64 // registrations refused
	Deregistrations      uint64 // answered, including those of unknown elements
	Resolutions          uint64 // Handle Resolutions answered, unknown pools included
	ResolutionsUnknown   uint64 // of those, for a pool that does not exist
	KeepAlivesSent       uint64
	KeepAliveAcks        uint64 // from the element's own association
	KeepAliveMissed      uint64 // keep-alives that could not be queued (send buffer full)
	Unreachables         uint64 // Endpoint Unreachable reports received
	TableRequests        uint64 // ENRP Handle Table Requests answered
	Announces            uint64 // Server Announces sent
	Removals             Removals
	// Malformed counts messages that did not decode; Unrecognized those
	// of unknown types; Ignored those a registrar does not act on
	// (responses, cookies, another payload protocol, keep-alive acks
	// from another association than the element's); ErrorsReceived the
	// ASAP and ENRP Error messages received.
	Malformed, Unrecognized, Ignored, ErrorsReceived uint64
	// ErrorsSent counts the error causes sent, in responses and in Error
	// messages, by cause code.
	ErrorsSent map[wire.CauseCode]uint64
	// EventsDropped counts events lost because Events was not read.
	EventsDropped uint64
	// Refused counts the requests refused to protect the pool elements
	// and the registrar, by reason.
	Refused Refusals
}

// Refusals counts refused requests by reason.
type Refusals struct {
	// Ownership counts re-registrations and deregistrations of an
	// element through another association than the living one that
	// registered it (Rejection Due to Security Considerations).
	Ownership uint64
	// NoKey counts registrations that no element key authenticated, and
	// KeyPool those whose element key does not allow the pool
	// (Config.ElementKeys; Rejection Due to Security Considerations).
	NoKey, KeyPool uint64
	// The others count registrations refused with Lack of Resources
	// because of Config.MaxElements, MaxPools, MaxElementsPerAssoc or
	// MaxElementsPerAddr, and associations aborted because of
	// MaxSessions.
	Elements, Pools, ElementsPerAssoc, ElementsPerAddr, Sessions uint64
}

// counters are the registrar's counters, guarded by the core's mutex.
type counters struct {
	Stats
	removals [removalReasons]uint64
}

func (c *counters) removed(r RemovalReason) { c.removals[r]++ }

func (c *counters) causeSent(code wire.CauseCode) {
	if c.ErrorsSent == nil {
		c.ErrorsSent = map[wire.CauseCode]uint64{}
	}
	c.ErrorsSent[code]++
}

// snapshot copies the counters.
func (c *counters) snapshot() Stats {
	s := c.Stats
	s.ErrorsSent = maps.Clone(c.ErrorsSent)
	r := &c.removals
	s.Removals = Removals{
		Deregistered:     r[RemovedDeregistered],
		KeepAliveTimeout: r[RemovedKeepAliveTimeout],
		Expired:          r[RemovedExpired],
		Unreachable:      r[RemovedUnreachable],
		Association:      r[RemovedAssociation],
		ByPeer:           r[RemovedByPeer],
	}
	return s
}
