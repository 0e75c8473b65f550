package mobility

import (
	"errors"
	"fmt"
)

// Recovery says how a mobile association recovers when it has lost every
// confirmed path to its peer.
type Recovery int

const (
	// RecoverReattach (the default) re-attaches the same association:
	// re-register, resolve the peer's handle and send an ASCONF from the
	// new address (the scheme of draft-dreibholz-rserpool-applic-mobility).
	// Only when that fails (the handover deadline passed, the association
	// was aborted or the peer restarted) does the Conn fail over to a new
	// association, as with RecoverFailover.
	RecoverReattach Recovery = iota
	// RecoverFailover recovers the RSPLIB way: as soon as every confirmed
	// path is lost, the old association is given up, and the Conn goes on
	// over a new one (the dialler resolves the peer's handle and dials
	// anew, cookie handshake), resuming the session from what each end
	// delivered: messages the peer had not delivered are sent again.
	RecoverFailover
)

func (r Recovery) String() string {
	switch r {
	case RecoverReattach:
		return "reattach"
	case RecoverFailover:
		return "failover"
	}
	return fmt.Sprintf("recovery %d", int(r))
}

// ParseRecovery returns the Recovery named s ("reattach" or "failover").
func ParseRecovery(s string) (Recovery, error) {
	for _, r := range []Recovery{RecoverReattach, RecoverFailover} {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("mobility: unknown recovery %q (want reattach or failover)", s)
}

// Reasons of a fallback, besides ErrDeadline and the association's own
// error.
var (
	// ErrPathsLost: every confirmed path was lost and the recovery is
	// RecoverFailover, which does not try to re-attach.
	ErrPathsLost = errors.New("mobility: every path to the peer was lost (recovery: failover)")
	// ErrPeerRestarted: the peer restarted the association (it had lost
	// its state), so what was in flight is gone.
	ErrPeerRestarted = errors.New("mobility: the peer restarted the association")
)

// ConnStats counts what a Conn did across its associations.
type ConnStats struct {
	Sent      uint64 // application messages sent
	Delivered uint64 // application messages received and queued for the application
	Unacked   int    // messages kept for resending: the peer has not reported them read
	Failovers uint64 // new associations after a fallback
	Resent    uint64 // messages sent again after failovers (not those first sent then)
	// BufferFull counts the times a Send found the resend buffer
	// (Config.ResendBuffer) full and waited for the peer's checkpoint or
	// a failover.
	BufferFull uint64
}
