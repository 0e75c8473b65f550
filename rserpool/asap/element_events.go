package asap

import (
	"fmt"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// ElementEventType says what happened to an element's registration.
type ElementEventType uint8

// Element events.
const (
	ElementRegistered         ElementEventType = iota + 1 // registered at Registrar
	ElementReregistered                                   // renewed the registration at Registrar
	ElementRegistrationFailed                             // refused (Err is an *OperationError), or no registrar answered
	ElementRegistrarLost                                  // Registrar failed or stopped answering (Err); moving on to the next
	ElementDeregistered                                   // Close deregistered the element (Err if it could not)
	ElementHomeChanged                                    // Registrar took over as the element's home (Keep-Alive with the Home flag) and accepted its registration
)

var elementEventNames = [...]string{"", "registered", "reregistered", "registration-failed", "registrar-lost", "deregistered", "home-changed"}

func (t ElementEventType) String() string {
	if int(t) < len(elementEventNames) && t != 0 {
		return elementEventNames[t]
	}
	return fmt.Sprintf("element event %d", uint8(t))
}

// ElementEvent reports a change in an element's registration.
type ElementEvent struct {
	Type      ElementEventType
	Time      time.Time
	Registrar stack.Remote // the registrar concerned, if any
	Err       error
}

func (e ElementEvent) String() string {
	s := e.Type.String()
	if len(e.Registrar.Addrs) > 0 {
		s += " at " + remoteString(e.Registrar)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
