package enrp

import (
	"time"

	"github.com/mobisctp/mobisctp/internal/config"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Defaults of the peer timers: RSPLIB's (rspregistrar.h), shorter than
// RFC 5353's suggestions so that a takeover completes within seconds.
const (
	DefaultHeartbeatCycle    = 2444 * time.Millisecond // PEER-HEARTBEAT-CYCLE
	DefaultMaxTimeLastHeard  = 5 * time.Second         // MAX-TIME-LAST-HEARD
	DefaultMaxTimeNoResponse = 5 * time.Second         // MAX-TIME-NO-RESPONSE
	DefaultTakeoverExpiry    = 5 * time.Second         // RSPLIB's takeover expiry interval
)

// Config configures a Machine. Zero durations take their defaults.
type Config struct {
	// ID is this registrar's server ID. Required.
	ID wire.ServerID
	// Server, if its transport is set, goes into every Presence so that
	// registrars that hear it by multicast know where to connect.
	Server wire.ServerInfo
	// HeartbeatCycle is the time between two Presences to every peer.
	HeartbeatCycle time.Duration
	// MaxTimeLastHeard is how long a peer may stay silent before it is
	// asked for a Presence; MaxTimeNoResponse how long it then has to
	// answer before it counts as dead.
	MaxTimeLastHeard, MaxTimeNoResponse time.Duration
	// TakeoverExpiry is how long a takeover waits for the
	// acknowledgements.
	TakeoverExpiry time.Duration
	// Multicast adds a Presence for every registrar (receiver 0) to each
	// cycle, to be sent to the ENRP multicast group.
	Multicast bool
	// SuggestTakeover and HonourSuggestions turn on the takeover
	// suggestion flag, sending and receiving.
	SuggestTakeover, HonourSuggestions bool
}

func (c Config) withDefaults() Config {
	config.Default(&c.HeartbeatCycle, DefaultHeartbeatCycle)
	config.Default(&c.MaxTimeLastHeard, DefaultMaxTimeLastHeard)
	config.Default(&c.MaxTimeNoResponse, DefaultMaxTimeNoResponse)
	config.Default(&c.TakeoverExpiry, DefaultTakeoverExpiry)
	return c
}
