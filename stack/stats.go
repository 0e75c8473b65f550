package stack

import (
	"net/netip"
	"time"
)

// AssocStats are an association's counters.
type AssocStats struct {
	PacketsSent, PacketsReceived, PacketsDropped uint64
	BytesSent, BytesReceived                     uint64 // SCTP packets, headers included
	BytesSentUser, BytesReceivedUser             uint64 // user data
	ChunksSent                                   uint64 // DATA chunks, retransmissions included
	MessagesQueued                               uint64 // waiting to be sent
	MessagesSent, MessagesReceived               uint64 // acknowledged / delivered
	MessagesAbandoned                            uint64 // PR-SCTP
	Retransmissions, FastRetransmits             uint64
	T3Expirations                                uint64
	SacksSent, SacksReceived                     uint64
	DuplicateTSNs, DataDropped                   uint64
	// ChunksKept counts the DATA chunks read in place from the
	// transport's buffer instead of copied (see Stats.Pinned).
	ChunksKept                                   uint64
	ForwardTSNsSent                              uint64
	HeartbeatsSent, HeartbeatsForged             uint64
	SourceProbes, SourceChanges                  uint64 // heartbeats from other local addresses; paths that moved to one
	SendsRefused                                 uint64 // sends the OS refused, counted as path errors
	AbortsSent, AbortsReceived                   uint64
	ForeignAborts                                uint64 // ABORT or SHUTDOWN COMPLETE from an address not the peer's: ignored
	OutOfTheBlue                                 uint64 // packets with our tag to a local address outside the association
	MalformedChunks, UnknownChunks               uint64
	SendCalls, SendErrors, PortChanges, Restarts uint64 // SendCalls: batched sends
	PrimaryChanges, WindowProbes                 uint64
	AuthFailures, Unauthenticated                uint64 // AUTH that did not verify; chunks dropped for lack of it
	AsconfsSent, AsconfsReceived                 uint64
	EventsDropped                                uint64
	// StreamResetsSent counts the streams the peer reset at our request
	// (Stream.Close), StreamResetsReceived those we reset at the peer's
	// (RFC 6525).
	StreamResetsSent, StreamResetsReceived uint64
}

// PathStats are one path's counters.
type PathStats struct {
	BytesSent, ChunksSent          uint64 // user data sent here
	PacketsReceived, BytesReceived uint64
	Retransmissions, T3Expirations uint64
	// MTU probes sent, and black holes found: packets of the path's MTU
	// lost until it fell back to the base size (RFC 8899 section 4.3).
	PMTUProbes, PMTUBlackHoles uint64
	// ICMP Packet Too Big hints the MTU search took (each asks for a
	// probe), and those it found inconsistent (RFC 8899 section 4.6.2).
	PMTUHints, PMTUHintsIgnored uint64
}

// PathInfo describes one path: a peer address with its state and
// congestion control.
type PathInfo struct {
	Remote    netip.AddrPort // peer address and UDP port
	Local     netip.Addr     // source address used
	State     PathState
	Primary   bool // new data goes here
	Preferred bool // the primary chosen at setup or with SetPrimary
	SRTT      time.Duration
	// MinRTT is the smallest round trip measured: unlike SRTT, which
	// includes the time a peer holds back a delayed SACK, it is the
	// path's own delay (what delay-sensitive pool policies want).
	MinRTT    time.Duration
	RTO       time.Duration
	Cwnd      int
	Ssthresh  int
	Flight    int
	Errors    int
	MTU       int    // the largest SCTP packet sent here now
	MTUSearch string // the MTU search: base, searching, search-complete, error, or fixed
	PathStats
}

// Stats is a snapshot of an association.
type Stats struct {
	State       string
	LocalPort   uint16
	PeerPort    uint16
	StreamsOut  uint16
	StreamsIn   uint16
	PeerRwnd    int
	Outstanding int
	// Pinned is the bytes of packet buffers held for received chunks not
	// yet read (ChunksKept): at most twice the receive buffer.
	Pinned        int
	IData, PRSCTP bool
	AssocStats
	Paths []PathInfo
}

// snapshot builds Stats on the loop.
func (a *Association) snapshot() Stats {
	s := Stats{
		State:       a.state.String(),
		LocalPort:   a.localPort,
		PeerPort:    a.peerPort,
		StreamsOut:  uint16(len(a.tx.streams)),
		PeerRwnd:    a.tx.peerRwnd,
		Outstanding: a.tx.outstanding,
		Pinned:      int(a.pins.held.Load()),
		IData:       a.peer.idata,
		PRSCTP:      a.peer.prsctp,
		AssocStats:  a.stats,
	}
	if a.rx.reasm != nil {
		s.StreamsIn = uint16(len(a.rx.reasm.streams))
	}
	s.EventsDropped = a.events.Dropped()
	for _, p := range a.paths {
		info := p.info(p == a.primary)
		info.Preferred = p == a.preferred
		s.Paths = append(s.Paths, info)
	}
	return s
}

func (p *path) info(primary bool) PathInfo {
	return PathInfo{
		Remote: p.remote, Local: p.local, State: p.state, Primary: primary,
		SRTT: p.rto.srtt, MinRTT: p.rto.minRTT, RTO: p.rto.rto, Cwnd: p.cc.Window(), Ssthresh: p.cc.Threshold(),
		Flight: p.flight, Errors: p.errors, MTU: p.mtu, MTUSearch: p.mtuSearchState(), PathStats: p.stats,
	}
}
