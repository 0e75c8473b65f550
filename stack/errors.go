package stack

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Errors of the association API. Those that end an association match
// net.ErrClosed with errors.Is, without saying "use of closed network
// connection": only ErrClosed means that the user closed something. An
// association that ends abnormally reports an *Error wrapping one of them
// or an *AbortError.
var (
	ErrClosed            = error(closedError("sctp: association closed"))
	ErrShutdown          = error(closedError("sctp: association shutting down"))
	ErrCommunicationLost = error(closedError("sctp: peer unreachable, communication lost"))
	ErrHandshakeTimeout  = error(closedError("sctp: no answer to INIT or COOKIE ECHO"))
	ErrShutdownTimeout   = error(closedError("sctp: shutdown did not complete (T5)"))
	ErrPeerRestarted     = errors.New("sctp: the peer restarted; data in flight was lost")
	ErrLifetimeExpired   = errors.New("sctp: message lifetime expired before delivery")
	ErrInvalidStream     = errors.New("sctp: stream identifier out of range")
	ErrNoASCONF          = errors.New("sctp: the peer cannot take ASCONF (it needs RFC 5061 and SCTP-AUTH)")
	ErrNoAuth            = errors.New("sctp: the association does not use SCTP-AUTH")
	ErrBacklogFull       = error(closedError("sctp: accept backlog full"))

	errProtocolViolation = error(closedError("sctp: peer violated the protocol"))
	errNoUserData        = error(closedError("sctp: peer sent DATA without user data"))
	errEndpointClosed    = errors.New("endpoint closed")
	errStreamOpen        = errors.New("sctp: stream already open")
)

// closedError is an error that ends an association: it matches
// net.ErrClosed without carrying its text.
type closedError string

func (e closedError) Error() string { return string(e) }

// Is makes the error match net.ErrClosed.
func (e closedError) Is(target error) bool { return target == net.ErrClosed }

// Error is why a Dial failed or an association ended: which peer, in what
// state, and the cause (a sentinel of this package, an *AbortError or a
// context error), which errors.Is and errors.As find through Unwrap.
type Error struct {
	Op     string           // "dial" or "association"
	Peer   []netip.AddrPort // the peer's addresses with its UDP port
	Port   uint16           // the peer's SCTP port
	State  string           // the RFC 9260 state, e.g. COOKIE-WAIT
	Detail string           // what was missing, e.g. "no INIT ACK after 3 INITs"
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sctp: " + e.Op + " " + formatPeer(e.Peer, e.Port))
	if e.State != "" {
		b.WriteString(" in state " + e.State)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": " + strings.TrimPrefix(e.Err.Error(), "sctp: "))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// formatPeer writes addresses, SCTP port and UDP port as
// "192.0.2.1,192.0.2.2:5001 (UDP 9899)".
func formatPeer(peer []netip.AddrPort, port uint16) string {
	if len(peer) == 0 {
		return "port " + strconv.Itoa(int(port))
	}
	ips := make([]string, len(peer))
	for i, p := range peer {
		ips[i] = p.Addr().String()
		if p.Addr().Is6() {
			ips[i] = "[" + ips[i] + "]"
		}
	}
	return strings.Join(ips, ",") + ":" + strconv.Itoa(int(port)) + " (UDP " + strconv.Itoa(int(peer[0].Port())) + ")"
}

// AbortError reports an association ended by an ABORT, sent by the peer
// (Remote) or by us.
type AbortError struct {
	Remote bool
	Causes []CauseError
}

func (e *AbortError) Error() string {
	side := "local"
	if e.Remote {
		side = "peer"
	}
	parts := make([]string, len(e.Causes))
	for i, c := range e.Causes {
		parts[i] = c.Error()
	}
	if len(parts) == 0 {
		return "sctp: association aborted by " + side
	}
	return "sctp: association aborted by " + side + ": " + strings.Join(parts, "; ")
}

// Is makes an AbortError match net.ErrClosed.
func (e *AbortError) Is(target error) bool { return target == net.ErrClosed }

// CauseError is one error cause of an ABORT or ERROR chunk.
type CauseError struct {
	Code wire.CauseCode
	Info string // the cause-specific information, as received
}

func (e *CauseError) Error() string {
	if e.Code == wire.CauseUserInitiatedAbort || e.Code == wire.CauseProtocolViolation {
		if e.Info != "" {
			return e.Code.String() + " (" + e.Info + ")"
		}
	}
	return e.Code.String()
}

// describeCauses converts the causes of an ABORT.
func describeCauses(cs wire.Causes) []CauseError {
	var out []CauseError
	it := cs.Iter()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		out = append(out, CauseError{Code: c.Code(), Info: string(c.Value())})
	}
	return out
}

// failure wraps err, which ends the association or its setup, in an *Error
// naming the peer and the state. Runs on the loop.
func (a *Association) failure(err error) *Error {
	e := &Error{Op: "association", Port: a.peerPort, State: a.state.String(), Err: err}
	for _, p := range a.paths {
		e.Peer = append(e.Peer, p.remote)
	}
	switch a.state {
	case stateCookieWait:
		e.Op, e.Detail = "dial", fmt.Sprintf("no INIT ACK after %d INIT%s", a.hs.t1Sends, plural(a.hs.t1Sends))
	case stateCookieEchoed:
		e.Op, e.Detail = "dial", fmt.Sprintf("no COOKIE ACK after %d COOKIE ECHO%s", a.hs.t1Sends, plural(a.hs.t1Sends))
	}
	return e
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
