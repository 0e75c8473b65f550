package registrar

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// EventType says what happened in the handlespace.
type EventType uint8

// Registrar events.
const (
	EventRegistered   EventType = iota + 1 // a new pool element
	EventReregistered                      // a registered element registered again
	EventRejected                          // a registration was refused (Cause says why)
	EventRemoved                           // an element left (Reason says why)
)

var eventNames = [...]string{"", "registered", "re-registered", "rejected", "removed"}

func (t EventType) String() string {
	if t > 0 && int(t) < len(eventNames) {
		return eventNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// Event reports a change of the handlespace, or a refused registration.
type Event struct {
	Type   EventType
	Time   time.Time
	Handle string
	ID     wire.PEID
	// Element describes the element as registered: for EventRegistered,
	// EventReregistered and EventRemoved.
	Element *Element
	// From is the ASAP association's primary peer address (and UDP
	// port), if the event came through one.
	From   netip.AddrPort
	Reason RemovalReason  // EventRemoved
	Cause  wire.CauseCode // EventRejected
}

func (e Event) String() string {
	s := fmt.Sprintf("%s %s/$%08x", e.Type, Quote(e.Handle), uint32(e.ID))
	switch e.Type {
	case EventRemoved:
		s += ": " + e.Reason.String()
	case EventRejected:
		s += ": " + e.Cause.String()
	}
	if e.From.IsValid() {
		s += " (from " + e.From.String() + ")"
	}
	return s
}
