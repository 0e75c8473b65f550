package mobility

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Registry is what a mobile node needs of RSerPool: its own registration
// and the resolution of its peers' handles. *asap.Element and *asap.User
// provide it through asapRegistry; tests use fakes.
type Registry interface {
	// Reregister registers the node again at once with its current
	// addresses (same pool element identifier). A node that is no pool
	// element returns nil.
	Reregister(ctx context.Context) error
	// Resolve returns the peer's registration (a pool of one element,
	// normally), bypassing any cache.
	Resolve(ctx context.Context, peer wire.PoolHandle) ([]wire.PoolElement, error)
}

// Association is what a mobile association needs of an SCTP association
// that the stack provides today (*stack.Association has all of it).
type Association interface {
	Events() <-chan stack.Event
	Paths() []stack.PathInfo
	Done() <-chan struct{}
	Err() error
}

// Reattacher is what a mobile association still needs from the stack
// (the seams of ARCHITECTURE.md, "Seams: Mobility"). The adapter of the
// real stack, stackReattacher, returns an error that matches
// errors.ErrUnsupported for each of them until the stack provides it.
type Reattacher interface {
	// HoldWhileDown makes the association survive for d while every
	// path is down, instead of aborting when the path and association
	// error limits are reached: queued and unacknowledged data wait and
	// are retransmitted on the new path, so nothing is lost or
	// delivered twice. Needs a handover hold in the stack's failure
	// detection (stack/assoc_heartbeat.go, T3 expiry).
	HoldWhileDown(d time.Duration) error
	// SendReattach adds the learned peer address to as an unconfirmed
	// path, and sends it an ASCONF from a local address in add: Add IP
	// Address for each of add, Set Primary Address for the first, and
	// as the Address Parameter an address the peer already knows for
	// this node (RFC 5061 section 4.1.1), AUTH-signed. The stack
	// confirms the path with a heartbeat before sending data on it, and
	// reports the answer as an EventASCONF. The receiving stack finds
	// the association from that Address Parameter when the source
	// address is unknown and the AUTH chunk verifies.
	SendReattach(to netip.Addr, add []netip.Addr) error
}

// AddressSource is the endpoint-level address-change signal: it reports
// every change of the node's addresses, after the stack has bound or
// released them. The stack's AutoASCONF has the information but reports
// it per association, in events that may be dropped; until the endpoint
// offers this seam, a Node tees its AddressWatcher (addrWatch).
type AddressSource interface {
	// Subscribe returns a channel that holds the node's complete address
	// set after each change (the latest only, for a slow reader), the
	// current set, and the function that ends the subscription.
	Subscribe() (changes <-chan []netip.Addr, current []netip.Addr, cancel func())
}

// SeamMissingError wraps errors.ErrUnsupported with the name of the stack
// seam a mobile association is waiting for.
type SeamMissingError struct{ Seam string }

func (e *SeamMissingError) Error() string {
	return fmt.Sprintf("mobility: the stack cannot %s yet", e.Seam)
}

func (e *SeamMissingError) Unwrap() error { return errors.ErrUnsupported }

// stackReattacher is the Reattacher of today's stack: it has neither
// seam. The stack work under way (branch bbm, not merged here) provides
// them as follows, and wiring them is all that is left:
//
//   - HoldWhileDown: stack.Config.HandoverHold (60 s by default with
//     AutoASCONF). NewNode sets it to Handover.Deadline, and
//     HoldWhileDown returns nil; the driver maps EventHandoverHold to
//     Controller.AllPathsDown and EventHandoverResumed to PathConfirmed.
//   - SendReattach: Association.AddPeerAddr(netip.AddrPortFrom(to, 0))
//     adds the unconfirmed path and sends the ASCONF in flight there (its
//     content, Add IP, Set Primary and Delete, is what AutoASCONF queued
//     for the move, so add is not needed); the ASCONF-ACK arrives as
//     EventASCONF and the heartbeat that follows as EventPathConfirmed.
type stackReattacher struct{ a *stack.Association }

func (stackReattacher) HoldWhileDown(time.Duration) error {
	return &SeamMissingError{Seam: "hold an association while every path is down (handover hold)"}
}

func (stackReattacher) SendReattach(netip.Addr, []netip.Addr) error {
	return &SeamMissingError{Seam: "add an unconfirmed peer address and send it an ASCONF with a lookup Address Parameter"}
}
