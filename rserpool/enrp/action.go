package enrp

import (
	"fmt"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Table is what the machine reads of the registrar's handlespace.
type Table interface {
	// Checksum returns the PE checksum of the elements owner owns.
	Checksum(owner wire.ServerID) uint16
	// Owned returns the number of elements owner owns.
	Owned(owner wire.ServerID) int
	// Owner returns the owner of an element, if it is in the table.
	Owner(k Key) (wire.ServerID, bool)
	// Fill adds to resp the elements after cur in handle then identifier
	// order (only those owner owns if owner is not 0), as many as one
	// response may carry, and returns the cursor after the last one
	// added and whether elements remain.
	Fill(resp *wire.HandleTableResponse, cur Cursor, owner wire.ServerID) (next Cursor, more bool)
}

// Cursor is a place in the handle table: just after element ID of pool
// Handle. The zero Cursor is the start.
type Cursor struct {
	Handle string
	ID     uint32
	Valid  bool
}

// Key names a pool element.
type Key struct {
	Handle string
	ID     wire.PEID
}

// KeyOf returns the key of element pe of pool handle.
func KeyOf(handle []byte, pe wire.PEID) Key { return Key{string(handle), pe} }

// ActionKind says what an Action asks the registrar to do.
type ActionKind uint8

// Action kinds.
const (
	// Send sends Msg over the association with peer To.
	Send ActionKind = iota + 1
	// Multicast sends Msg to the ENRP multicast group.
	Multicast
	// AddElement adds or updates Element of pool Handle, owned by Owner.
	AddElement
	// DelElement removes element Element.ID of pool Handle if Owner owns
	// it: an element that moved to another registrar meanwhile stays.
	DelElement
	// Purge removes every element Owner owns that Keep does not hold.
	Purge
	// TakeOver makes Owner the owner (and home) of every element Target
	// owns. When Owner is this registrar, it sends each of them an
	// Endpoint Keep-Alive with the Home flag.
	TakeOver
	// ClaimElement asks this registrar to become the home of Element of
	// pool Handle (a takeover suggestion): it sends the element an
	// Endpoint Keep-Alive with the Home flag.
	ClaimElement
	// PeerDead reports that peer Target stopped answering and was
	// forgotten (after a takeover, by this registrar or another, or
	// without one).
	PeerDead
)

var actionNames = [...]string{"", "send", "multicast", "add element", "delete element", "purge", "take over", "claim element", "peer dead"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) && k != 0 {
		return actionNames[k]
	}
	return fmt.Sprintf("action %d", uint8(k))
}

// Action is one thing the machine asks the registrar to do. Messages and
// elements may alias the message the machine was given: carry out the
// action, or encode the message, before that buffer is reused.
type Action struct {
	Kind    ActionKind
	To      wire.ServerID  // Send
	Msg     wire.ENRPValue // Send, Multicast
	Owner   wire.ServerID  // AddElement, DelElement, Purge, TakeOver
	Target  wire.ServerID  // TakeOver, PeerDead
	Handle  wire.PoolHandle
	Element wire.PoolElement
	Keep    map[Key]struct{} // Purge
}
