package stack

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// DialError says why Dial gave up: whom it tried to reach, from where, for
// how long, how many INITs went out, and the last error the OS gave when
// sending, if any. It unwraps to ErrHandshakeTimeout when the INIT
// retransmissions ran out, or to the context's error.
type DialError struct {
	Remotes []netip.AddrPort // the peer's addresses and UDP port
	Port    uint16           // the peer's SCTP port
	Locals  []netip.Addr     // our addresses that could reach the first of Remotes
	Inits   int              // INIT and COOKIE ECHO transmissions
	Elapsed time.Duration
	SendErr error // the last send the OS refused, or nil
	Err     error
}

func (e *DialError) Error() string {
	locals := make([]string, len(e.Locals))
	for i, l := range e.Locals {
		locals[i] = l.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sctp: dial %s from %s", formatPeer(e.Remotes, e.Port), strings.Join(locals, ","))
	cause := e.Err
	// The association's own error says how far the handshake got; its
	// peer is the one above, so only its state and detail are repeated.
	if se := (*Error)(nil); errors.As(e.Err, &se) {
		if se.State != "" {
			b.WriteString(" in state " + se.State)
		}
		if se.Detail != "" {
			b.WriteString(": " + se.Detail)
		}
		cause = se.Err
	} else {
		fmt.Fprintf(&b, ": %d INIT/COOKIE ECHO sent", e.Inits)
	}
	fmt.Fprintf(&b, " in %v", e.Elapsed.Round(time.Millisecond))
	if cause != nil {
		b.WriteString(": " + strings.TrimPrefix(cause.Error(), "sctp: "))
	}
	if e.SendErr != nil {
		fmt.Fprintf(&b, " (the last send failed: %v)", e.SendErr)
	}
	return b.String()
}

func (e *DialError) Unwrap() error { return e.Err }

// ErrAssociated is why Dial refuses a peer the endpoint already has an
// association with; the error is an *AssociatedError.
var ErrAssociated = errors.New("sctp: already associated with this peer")

// AssociatedError is Dial's refusal to set up a second association with a
// peer (see Dial): Association is the one the endpoint has, to reuse or to
// end first. It unwraps to ErrAssociated.
type AssociatedError struct {
	Remotes     []netip.AddrPort // whom Dial was to reach, with the UDP port
	Port        uint16           // the peer's SCTP port
	Association *Association     // the association the endpoint has with the peer
	Peer        []netip.Addr     // the peer addresses that association has here
	State       string           // its RFC 9260 state at the refusal, e.g. ESTABLISHED
}

// newAssociatedError describes the refusal of a Dial to remotes, SCTP
// port port, for other's sake. It takes ep.mu, then other.mu: the caller
// must hold neither.
func newAssociatedError(remotes []netip.AddrPort, port uint16, other *Association) *AssociatedError {
	other.ep.mu.Lock()
	known := slices.Clone(other.routePeers)
	other.ep.mu.Unlock()
	other.mu.Lock()
	state := other.info.state
	other.mu.Unlock()
	return &AssociatedError{Remotes: remotes, Port: port, Association: other, Peer: known, State: state.String()}
}

func (e *AssociatedError) Error() string {
	peer := make([]string, len(e.Peer))
	for i, p := range e.Peer {
		peer[i] = netip.AddrPortFrom(p, e.Port).String()
	}
	return fmt.Sprintf("sctp: dial %s: already associated with this peer: the association with %s, in state %s, is to be used or ended first",
		formatPeer(e.Remotes, e.Port), strings.Join(peer, ","), e.State)
}

func (e *AssociatedError) Unwrap() error { return ErrAssociated }

// dialTrace is what the loop records of a handshake for DialError; the
// dialing goroutine reads it.
type dialTrace struct {
	mu      sync.Mutex
	sends   int
	sendErr error
	// retrying is Remote.Retrying; set before the loop starts.
	retrying func(to netip.AddrPort, sent int)
}

func (t *dialTrace) sent() {
	t.mu.Lock()
	t.sends++
	t.mu.Unlock()
}

func (t *dialTrace) refused(err error) {
	t.mu.Lock()
	t.sendErr = err
	t.mu.Unlock()
}

// usableToward lists our addresses a peer at peer could be reached from:
// of its family and visible in its scope (no loopback toward a host
// elsewhere).
func (ep *Endpoint) usableToward(peer netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, l := range ep.LocalAddrs() {
		if sameFamily(l, peer) && visibleTo(l, peer) {
			out = append(out, l)
		}
	}
	return out
}

// dialError describes a failed Dial of a to remotes, started at start.
func (a *Association) dialError(remotes []netip.AddrPort, start time.Time, err error) error {
	a.dial.mu.Lock()
	defer a.dial.mu.Unlock()
	return &DialError{
		Remotes: remotes,
		Port:    a.peerPort,
		Locals:  a.ep.usableToward(remotes[0].Addr()),
		Inits:   a.dial.sends,
		Elapsed: time.Since(start),
		SendErr: a.dial.sendErr,
		Err:     err,
	}
}
