package stack

import (
	"fmt"
	"net/netip"
	"time"
)

// EventType says what happened to an association.
type EventType uint8

// Association events.
const (
	EventCommUp                EventType = iota + 1 // established
	EventCommLost                                   // ended abnormally (Err says why)
	EventRestart                                    // the peer restarted the association
	EventShutdownComplete                           // graceful close completed
	EventSendFailed                                 // a message was not delivered (Err says why)
	EventPeerError                                  // the peer sent an ERROR chunk
	EventPathConfirmed                              // a peer address was verified by heartbeat
	EventPathPotentiallyFailed                      // errors on a path passed the PF threshold
	EventPathDown                                   // a path became inactive
	EventPathUp                                     // an inactive path answered again
	EventPrimaryChanged                             // data now goes to Addr
	EventASCONF                                     // the peer answered Request; Err is nil on success
	EventPathAdded                                  // the peer added an address (ASCONF)
	EventPathRemoved                                // the peer deleted an address (ASCONF)
	EventLocalAddrAdded                             // AutoASCONF saw a new local address (Addr) and told the peer
	EventLocalAddrRemoved                           // AutoASCONF saw a local address go and told the peer
	EventHandoverHold                               // every path is down: waiting for a new one until Time + HandoverHold
	EventHandoverResumed                            // a path answered during the hold, or our move completed: data flows again
	EventPathMTU                                    // the MTU search changed the path's MTU (MTU)
)

var eventNames = [...]string{"", "comm-up", "comm-lost", "restart", "shutdown-complete", "send-failed",
	"peer-error", "path-confirmed", "path-potentially-failed", "path-down", "path-up", "primary-changed",
	"asconf", "path-added", "path-removed", "local-address-added", "local-address-removed",
	"handover-hold", "handover-resumed", "path-mtu"}

func (t EventType) String() string {
	if int(t) < len(eventNames) && t != 0 {
		return eventNames[t]
	}
	return fmt.Sprintf("event(%d)", uint8(t))
}

// Event is a notification from an association.
type Event struct {
	Type    EventType
	Time    time.Time
	Addr    netip.AddrPort // the path concerned, for path events
	Stream  uint16         // for EventSendFailed
	PPID    uint32         // for EventSendFailed
	Request string         // for EventASCONF: the request, as "Add IP Address 192.0.2.9"
	MTU     int            // for EventPathMTU: the largest SCTP packet the path now carries
	Err     error
}

func (e Event) String() string {
	s := e.Type.String()
	if e.Request != "" {
		s += " " + e.Request
	}
	if e.Addr.IsValid() {
		s += " " + e.Addr.String()
	}
	if e.MTU != 0 {
		s += fmt.Sprintf(" mtu %d", e.MTU)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// emit stamps an event with the time and queues it for the application.
func (a *Association) emit(e Event) {
	e.Time = time.Now()
	a.events.Post(e)
}
