package enrp

import (
	"fmt"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// PeerState says what the machine thinks of a peer.
type PeerState uint8

// Peer states.
const (
	// Alive: heard from within MaxTimeLastHeard.
	Alive PeerState = iota + 1
	// Probing: asked for a Presence (or its association went down), and
	// waiting MaxTimeNoResponse for a word.
	Probing
	// TakingOver: found dead; this registrar is taking its elements.
	TakingOver
)

var stateNames = [...]string{"", "alive", "probing", "taking-over"}

func (s PeerState) String() string {
	if int(s) < len(stateNames) && s != 0 {
		return stateNames[s]
	}
	return fmt.Sprintf("peer state %d", uint8(s))
}

// PeerInfo describes one entry of the peer table.
type PeerInfo struct {
	ID        wire.ServerID
	Server    wire.ServerInfo // from its last Presence; zero transport if none said
	State     PeerState
	LastHeard time.Time
	// Synced says that a complete copy of the peer's elements arrived
	// at least once; Syncing that a copy is being fetched.
	Synced, Syncing bool
}

// peer is one entry of the peer table.
type peer struct {
	PeerInfo
	deadline time.Time // of the state's timer
	// takeoverBy is the registrar whose takeover of this peer this one
	// acknowledged, 0 if none.
	takeoverBy wire.ServerID
	takeover   *takeover // this registrar's takeover of the peer
	keep       map[Key]struct{}
	// syncDue is when a synchronisation that has had no answer to its
	// last request is given up and started again.
	syncDue time.Time
	// serving is the progress of the answer to the peer's own table
	// request: the next part starts at out.
	serving  bool
	out      Cursor
	outOwner wire.ServerID
}

// heard notes that p said something at now.
func (p *peer) heard(now time.Time, cfg *Config) {
	p.LastHeard = now
	p.State = Alive
	p.deadline = now.Add(cfg.MaxTimeLastHeard)
}
