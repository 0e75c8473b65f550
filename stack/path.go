package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/internal/congestion"
	"github.com/mobisctp/mobisctp/internal/plpmtud"
)

// PathState is the reachability state of one destination address.
type PathState uint8

// Path states (RFC 9260 section 8.2 and SCTP-PF, RFC 7829).
const (
	PathUnconfirmed       PathState = iota // not yet verified by a heartbeat
	PathActive                             // reachable
	PathPotentiallyFailed                  // errors past the PF threshold
	PathInactive                           // errors past Path.Max.Retrans
)

func (s PathState) String() string {
	return [...]string{"unconfirmed", "active", "potentially-failed", "inactive"}[s]
}

// Packet overheads below the SCTP common header.
const (
	ipv4Overhead = 20
	ipv6Overhead = 40
	udpOverhead  = 8
)

// maxIPPacket is the largest IP packet (an IPv6 jumbogram aside): its
// total length, IPv6's payload length and UDP's length are 16-bit fields.
const maxIPPacket = 65535

// path is the per-destination state of RFC 9260 sections 6 and 7: one of
// the peer's addresses with its own RTO, congestion window and error
// counter, and the remote UDP port learned for it (RFC 6951).
// Its congestion control is cc (internal/congestion).
type path struct {
	remote netip.AddrPort // peer address and UDP encapsulation port
	local  netip.Addr     // source address used to reach it
	state  PathState
	// learned is set when probing found local to work where the chosen
	// source did not; probeNext is where the next round of source probes
	// starts among the alternatives (see source.go).
	learned   bool
	probeNext int

	rto    rtoCalc
	cc     congestion.Controller
	flight int // bytes outstanding on this path
	errors int // consecutive unacknowledged transmissions and heartbeats
	mtu    int // largest SCTP packet now: the MTU search's PMTU (pmtud.go)

	t3 time.Time // T3-rtx deadline; zero while stopped

	// Heartbeats (section 8.3).
	hbDue     time.Time // when the next heartbeat goes out
	hbPending bool      // a heartbeat is outstanding
	hbNonce   uint64
	hbSent    time.Time

	// RTT measurement (section 6.3.1 C5): one chunk at a time is timed,
	// and a retransmission of it cancels the measurement, so a sample is
	// never inflated by a loss (Karn) or by a stall behind one.
	rttPending bool
	rttTSN     uint32
	rttSent    time.Time

	lastData    time.Time // last DATA sent here: a path with recent data is not idle
	refusedAt   time.Time // last send the OS refused that counted as an error
	activeSince time.Time // when the path last became active

	// Path MTU discovery (RFC 8899, pmtud.go): maxMTU is the ceiling
	// where the OS does not tell the route's MTU (Config.PMTU or
	// DefaultPMTU, as SCTP packet bytes; see searchMax); pmtu is the
	// search, started when the path becomes usable, nil with
	// Config.PMTUFixed.
	maxMTU     int
	ceiling    int // the ceiling of the running search once the association has bulk data (see wantLargerPackets)
	pmtuFixed  bool
	pmtu       *plpmtud.Search
	probeNonce uint64 // the MTU probe in flight

	stats PathStats
}

func newPath(remote netip.AddrPort, local netip.Addr, cfg *Config) *path {
	p := &path{
		remote: remote,
		local:  local,
		state:  PathUnconfirmed,
		rto:    newRTO(cfg.RTOInitial, cfg.RTOMin, cfg.RTOMax),
	}
	p.maxMTU = p.packetSize(cfg.pmtu())
	p.pmtuFixed = cfg.PMTUFixed || p.maxMTU <= p.baseMTU()
	p.mtu = p.maxMTU
	if !p.pmtuFixed {
		p.mtu = p.baseMTU() // until probes confirm more
	}
	p.cc = congestion.NewReno(p.mtu)
	return p
}

// packetSize is the largest SCTP packet in an IP packet of ipMTU bytes
// toward p: ipMTU less the IP and UDP headers.
func (p *path) packetSize(ipMTU int) int {
	if a := p.remote.Addr(); a.Is6() && !a.Is4In6() {
		return ipMTU - udpOverhead - ipv6Overhead
	}
	return ipMTU - udpOverhead - ipv4Overhead
}

// usable reports whether data may be sent to this path.
func (p *path) usable() bool {
	return p.state == PathActive || p.state == PathPotentiallyFailed
}
