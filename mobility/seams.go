package mobility

import (
	"context"
	"errors"
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

// Reattacher is what a mobile association needs of the stack to survive
// a handover and to re-attach (the seams of ARCHITECTURE.md, "Seams:
// Mobility"); stackReattacher adapts *stack.Association, tests use fakes.
type Reattacher interface {
	// HoldWhileDown makes the association survive for d while every
	// path is down, instead of aborting when the path and association
	// error limits are reached: queued and unacknowledged data wait and
	// are retransmitted on the new path, so nothing is lost or
	// delivered twice.
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
// released them (the node reads it from Endpoint.WatchAddresses).
type AddressSource interface {
	// Subscribe returns a channel that holds the node's complete address
	// set after each change (the latest only, for a slow reader), the
	// current set, and the function that ends the subscription.
	Subscribe() (changes <-chan []netip.Addr, current []netip.Addr, cancel func())
}

// stackReattacher is the Reattacher of the stack:
//
//   - HoldWhileDown: the hold is the endpoint's stack.Config.HandoverHold,
//     which NewNode sets to the handover deadline; the driver maps
//     EventHandoverHold to Controller.AllPathsDown and
//     EventHandoverResumed to PathConfirmed.
//   - SendReattach: Association.AddPeerAddr adds the unconfirmed path and
//     sends the ASCONF in flight there. Its content (Add IP, Set Primary,
//     Delete) is what AutoASCONF queued for the move, so add is not
//     needed; the ASCONF-ACK arrives as EventASCONF and the heartbeat
//     that follows as EventPathConfirmed.
type stackReattacher struct {
	a    *stack.Association
	hold time.Duration // the endpoint's HandoverHold
}

// errHoldTooShort means the endpoint's handover hold ends before the
// handover deadline: the association could die while the node re-finds
// its peer.
var errHoldTooShort = errors.New("mobility: the endpoint's HandoverHold is shorter than the handover deadline")

func (r stackReattacher) HoldWhileDown(d time.Duration) error {
	if r.hold < d {
		return errHoldTooShort
	}
	return nil
}

func (r stackReattacher) SendReattach(to netip.Addr, _ []netip.Addr) error {
	return r.a.AddPeerAddr(netip.AddrPortFrom(to, 0))
}
