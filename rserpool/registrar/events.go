package registrar

import (
	"fmt"
	"net/netip"
	"sync"
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
	s := fmt.Sprintf("%s %q/$%08x", e.Type, e.Handle, uint32(e.ID))
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

// eventQueue delivers events without ever blocking the registrar: when
// nobody reads them, the oldest are dropped and counted.
type eventQueue struct {
	mu      sync.Mutex
	ch      chan Event
	dropped uint64
	closed  bool
}

func newEventQueue(size int) *eventQueue { return &eventQueue{ch: make(chan Event, size)} }

func (q *eventQueue) post(e Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	for {
		select {
		case q.ch <- e:
			return
		default:
		}
		select {
		case <-q.ch:
			q.dropped++
		default:
		}
	}
}

func (q *eventQueue) droppedCount() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}

func (q *eventQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}
