package mobility

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// EventType says what step of a handover an Event reports.
type EventType uint8

// Handover events, in the order a handover usually produces them.
const (
	EventAddressLost     EventType = iota + 1 // the node lost its address Addr
	EventAddressGained                        // the node gained the address Addr
	EventHandoverStarted                      // no confirmed path is left to the peer (or the node left every address)
	EventReregistered                         // the node re-registered with Addrs (Err if that failed)
	EventPeerResolved                         // the peer's handle resolved to Addrs (Err if it did not)
	EventASCONFSent                           // a re-attach ASCONF went to Addr, adding Addrs
	EventASCONFAcked                          // the peer at Addr acknowledged it (Err if it refused)
	EventPathConfirmed                        // a heartbeat confirmed the path to Addr: the association is re-attached
	EventFirstData                            // the first data after the move arrived
	EventFallback                             // the association could not be re-attached (Err says why): session failover
	EventPeerHandle                           // the peer named its pool handle (Handle) in a Business Card
	// EventFailoverComplete: after a fallback, the Conn goes on over a
	// new association (Addr: the peer's address on it); Resent messages
	// that the old association had taken and not delivered were sent
	// again, and Since is the time since the fallback.
	EventFailoverComplete
	// EventFailoverFailed: the failover did not succeed before the
	// handover deadline (Err says why); the Conn has ended.
	EventFailoverFailed
	// EventResumeRefused (a node event): an association that claimed to
	// continue a Conn was refused, its token unknown or malformed (Addr:
	// where it came from, Err: why).
	EventResumeRefused
)

var eventNames = [...]string{"", "address-lost", "address-gained", "handover-started", "reregistered",
	"peer-resolved", "asconf-sent", "asconf-acked", "path-confirmed", "first-data", "fallback", "peer-handle",
	"failover-complete", "failover-failed", "resume-refused"}

func (t EventType) String() string {
	if int(t) < len(eventNames) && t != 0 {
		return eventNames[t]
	}
	return fmt.Sprintf("mobility event %d", uint8(t))
}

// Event is one step of a handover, with the time it happened.
type Event struct {
	Type  EventType
	Time  time.Time
	Addr  netip.Addr   // the address concerned, if one is
	Addrs []netip.Addr // addresses registered, resolved or added
	// Since is the time since the handover started, for the events
	// that belong to one (zero otherwise).
	Since  time.Duration
	Handle []byte // for EventPeerHandle
	Resent int    // for EventFailoverComplete: the messages sent again
	Err    error
}

func (e Event) String() string {
	var b strings.Builder
	b.WriteString(e.Type.String())
	if e.Addr.IsValid() {
		fmt.Fprintf(&b, " %v", e.Addr)
	}
	if len(e.Handle) > 0 {
		fmt.Fprintf(&b, " %q", e.Handle)
	}
	if len(e.Addrs) > 0 {
		fmt.Fprintf(&b, " %v", e.Addrs)
	}
	if e.Type == EventFailoverComplete {
		fmt.Fprintf(&b, " resent %d", e.Resent)
	}
	if e.Since > 0 {
		fmt.Fprintf(&b, " (+%v)", e.Since)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}
