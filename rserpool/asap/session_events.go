package asap

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// SessionEventType says what happened to a session.
type SessionEventType uint8

// Session events.
const (
	SessionConnected     SessionEventType = iota + 1 // first association, with New
	SessionElementLost                               // the association with Old failed (Err); Old is reported unreachable
	SessionElementClosed                             // Old ended the association gracefully
	SessionConnectFailed                             // New could not be reached (Err); it is reported unreachable, unless another session has it (stack.ErrAssociated)
	SessionResolveFailed                             // no element to try (Err); trying again after RetryDelay
	SessionFailover                                  // the session moved from Old to New in Took
)

var sessionEventNames = [...]string{"", "connected", "element-lost", "element-closed", "connect-failed", "resolve-failed", "failover"}

func (t SessionEventType) String() string {
	if int(t) < len(sessionEventNames) && t != 0 {
		return sessionEventNames[t]
	}
	return fmt.Sprintf("session event %d", uint8(t))
}

// SessionEvent reports a change of a session's element.
type SessionEvent struct {
	Type     SessionEventType
	Time     time.Time
	Old, New wire.PoolElement // zero when they do not apply
	// Took is, for a failover, the time from losing Old (or from the
	// first send after Old closed) until New had the session.
	Took time.Duration
	// Resent is, for a failover, how many unacknowledged messages went
	// to New again.
	Resent int
	// CookieEcho is set when New received the last cookie of Old.
	CookieEcho bool
	Err        error
}

func (e SessionEvent) String() string {
	s := e.Type.String()
	switch e.Type {
	case SessionConnected, SessionConnectFailed:
		s += " " + ElementString(e.New)
	case SessionElementLost, SessionElementClosed:
		s += " " + ElementString(e.Old)
	case SessionFailover:
		s += fmt.Sprintf(" %s -> %s in %v, %d resent, cookie echo %v", ElementString(e.Old), ElementString(e.New),
			e.Took.Round(10*time.Microsecond), e.Resent, e.CookieEcho)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// ElementString formats an element as its identifier and first transport
// address, as RSPLIB prints it: "$0000002a (192.0.2.1:7)".
func ElementString(e wire.PoolElement) string {
	t := e.UserTransport
	if len(t.Addrs) == 0 {
		return fmt.Sprintf("$%08x", uint32(e.ID))
	}
	return fmt.Sprintf("$%08x (%v)", uint32(e.ID), netip.AddrPortFrom(t.Addrs[0], t.Port))
}
