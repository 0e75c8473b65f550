package addip

import (
	"net/netip"
	"slices"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Peer is what the association lets the [Receiver] change: the peer's
// addresses. Each method returns nil or one of the refusal errors
// ([ErrDeleteLastAddress], [ErrResourceShortage], [ErrNoAuthorization],
// [ErrUnresolvableAddress]); other errors are reported as
// ErrNoAuthorization. A refused request must change nothing.
type Peer interface {
	// AddPeerAddress adds a destination address (RFC 5061 section
	// 4.2.1). The wildcard was already replaced by the packet's source.
	AddPeerAddress(addr netip.Addr) error
	// DeletePeerAddress removes addr (section 4.2.2). It must refuse to
	// remove the last one with ErrDeleteLastAddress, and otherwise the
	// packet's source address with ErrDeleteSourceAddress (section 5.3
	// F5 before F8). The wildcard means every address but source.
	DeletePeerAddress(addr, source netip.Addr) error
	// SetPeerPrimary makes addr the primary destination (section 4.2.4);
	// an address not in the association is ErrUnresolvableAddress.
	SetPeerPrimary(addr netip.Addr) error
}

// maxCachedAcks bounds the ASCONF-ACKs kept for retransmitted ASCONFs.
const maxCachedAcks = 16

// Receiver answers the peer's ASCONF chunks (RFC 5061 section 5.2). The
// zero value is not usable; call [NewReceiver].
type Receiver struct {
	last  uint32 // Peer-Serial-Number: the last serial processed (E1)
	cache []cachedAck
}

// cachedAck is an ASCONF-ACK as sent, for an ASCONF sent again (E2, E4).
type cachedAck struct {
	serial uint32
	ack    []byte
}

// Packet describes the packet an ASCONF arrived in.
type Packet struct {
	// Source is the packet's source address: what the wildcard stands
	// for, and where the ASCONF-ACK must go (RFC 5061 section 5.2 E6).
	Source netip.Addr
	// First is set for the first ASCONF chunk of the packet. A new
	// ASCONF that comes first replaces the cached ASCONF-ACKs; ASCONFs
	// bundled after it add theirs (section 5.1.1 C2).
	First bool
}

// Verdict says what [Receiver.Handle] did with an ASCONF.
type Verdict uint8

// Verdicts, for the loop's counters.
const (
	Applied    Verdict = iota + 1 // next serial: processed, ASCONF-ACK built and cached (E4)
	Repeated                      // already processed: the cached ASCONF-ACK, nothing re-applied (E2)
	Stale                         // older, no ASCONF-ACK cached: skipped (E2)
	Unexpected                    // beyond the next serial: discarded (E5)
)

// NewReceiver returns a Receiver that expects the peer's first ASCONF to
// carry the peer's initial TSN: Peer-Serial-Number starts at the initial
// TSN minus one (RFC 5061 section 5.2 E1).
func NewReceiver(peerInitialTSN uint32) *Receiver {
	return &Receiver{last: peerInitialTSN - 1}
}

// Handle processes an authenticated ASCONF chunk and returns the
// ASCONF-ACK chunk to bundle (behind AUTH) into the reply to pkt.Source,
// or nil with [Stale] and [Unexpected]. The returned bytes are the cached
// copy: append them, do not modify them. A retransmitted ASCONF gets the
// same bytes back without its requests being applied again.
func (r *Receiver) Handle(a *wire.Asconf, pkt Packet, peer Peer) ([]byte, Verdict) {
	next := r.last + 1
	switch {
	case a.Serial == next:
		if pkt.First {
			r.cache = r.cache[:0]
		}
		ack := wire.AsconfAck{Serial: a.Serial, Params: respond(a.Params, pkt.Source, peer)}
		b := ack.Append(nil)
		r.last = a.Serial
		r.remember(a.Serial, b)
		return b, Applied
	case serial.Less32(a.Serial, next):
		if i := slices.IndexFunc(r.cache, func(c cachedAck) bool { return c.serial == a.Serial }); i >= 0 {
			return r.cache[i].ack, Repeated
		}
		return nil, Stale
	default:
		return nil, Unexpected
	}
}

// remember caches an ASCONF-ACK, dropping the oldest past maxCachedAcks.
func (r *Receiver) remember(s uint32, ack []byte) {
	if len(r.cache) == maxCachedAcks {
		r.cache = slices.Delete(r.cache, 0, 1)
	}
	r.cache = append(r.cache, cachedAck{serial: s, ack: ack})
}
