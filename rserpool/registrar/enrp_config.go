package registrar

import (
	"context"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/config"
	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// DefaultENRPPort is the SCTP port, and the UDP encapsulation port, of a
// registrar's ENRP endpoint (RFC 5353).
const DefaultENRPPort = wire.PortENRP

// DefaultPeerRedial is the pause before dialing a configured peer again
// after its association failed or could not be set up.
const DefaultPeerRedial = time.Second

// ENRPConfig configures a registrar's peering with other registrars
// (RFC 5353). ENRP is off unless Port is set.
type ENRPConfig struct {
	// Port is the SCTP port of the ENRP endpoint, on the registrar's
	// addresses; its UDP encapsulation port is the same number, so that
	// a peer's address and one port say where to reach it. 0 turns ENRP
	// off; DefaultENRPPort is the standard port.
	Port uint16
	// Peers are the registrars to connect to (their ENRP endpoints; a
	// zero UDPPort means the same as Port). A registrar also accepts
	// associations from peers not listed.
	Peers []stack.Remote
	// Announce, when valid, is where Presences also go by UDP: the ENRP
	// multicast group (wire.ENRPAnnounceAddr) or a unicast address.
	// AnnounceListen is where this registrar listens for the Presences of
	// others; by default the Announce group if it is one. Registrars heard
	// there are dialed. Both off by default.
	Announce, AnnounceListen netip.AddrPort
	// Redial is the pause before dialing a peer again (DefaultPeerRedial).
	Redial time.Duration
	// Timers and the takeover suggestion flag; see package enrpsm. The
	// zero values are its defaults, and the flag is off.
	HeartbeatCycle, MaxTimeLastHeard, MaxTimeNoResponse, TakeoverExpiry time.Duration
	SuggestTakeover, HonourSuggestions                                  bool
	// Key, when set, is the ENRP key all the registrars share: peers must
	// authenticate every ENRP message with it (SCTP-AUTH, key identifier
	// ENRPKeyID), and associations from hosts without it carry nothing.
	Key []byte
	// PacketConn, when set, replaces the ENRP endpoint's UDP transport,
	// as stack.Config.PacketConn does (simulated networks).
	PacketConn func(encap.Handler) (stack.PacketConn, error)
}

// machineConfig returns the ENRP state machine's configuration; self is
// where this registrar's ENRP endpoint listens.
func (c *Config) machineConfig(self wire.Transport) enrpsm.Config {
	e := &c.ENRP
	cfg := enrpsm.Config{
		ID:                c.ServerID,
		HeartbeatCycle:    e.HeartbeatCycle,
		MaxTimeLastHeard:  e.MaxTimeLastHeard,
		MaxTimeNoResponse: e.MaxTimeNoResponse,
		TakeoverExpiry:    e.TakeoverExpiry,
		SuggestTakeover:   e.SuggestTakeover,
		HonourSuggestions: e.HonourSuggestions,
		Multicast:         e.Announce.IsValid(),
		Server:            wire.ServerInfo{ID: c.ServerID, Transport: self},
	}
	return cfg
}

func (e *ENRPConfig) withDefaults() {
	config.Default(&e.Redial, DefaultPeerRedial)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
