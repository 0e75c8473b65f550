package stack

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Errors of the association API. Those that end an association unwrap to
// net.ErrClosed.
var (
	ErrClosed            = fmt.Errorf("sctp: association closed: %w", net.ErrClosed)
	ErrShutdown          = fmt.Errorf("sctp: association shutting down: %w", net.ErrClosed)
	ErrCommunicationLost = fmt.Errorf("sctp: peer unreachable, communication lost: %w", net.ErrClosed)
	ErrHandshakeTimeout  = fmt.Errorf("sctp: no answer to INIT or COOKIE ECHO: %w", net.ErrClosed)
	ErrShutdownTimeout   = fmt.Errorf("sctp: shutdown did not complete (T5): %w", net.ErrClosed)
	ErrPeerRestarted     = errors.New("sctp: the peer restarted; data in flight was lost")
	ErrLifetimeExpired   = errors.New("sctp: message lifetime expired before delivery")
	ErrInvalidStream     = errors.New("sctp: stream identifier out of range")
	ErrNoASCONF          = errors.New("sctp: the peer cannot take ASCONF (it needs RFC 5061 and SCTP-AUTH)")
	ErrNoAuth            = errors.New("sctp: the association does not use SCTP-AUTH")
	ErrBacklogFull       = fmt.Errorf("sctp: accept backlog full: %w", net.ErrClosed)

	errProtocolViolation = fmt.Errorf("sctp: peer violated the protocol: %w", net.ErrClosed)
	errNoUserData        = fmt.Errorf("sctp: peer sent DATA without user data: %w", net.ErrClosed)
	errEndpointClosed    = errors.New("endpoint closed")
	errStreamOpen        = errors.New("sctp: stream already open")
)

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

// Unwrap makes an AbortError match net.ErrClosed.
func (e *AbortError) Unwrap() error { return net.ErrClosed }

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
