package stack

import (
	"fmt"
	"github.com/mobisctp/mobisctp/internal/config"
	"net/netip"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Defaults of RFC 9260 section 16 and of this implementation. A zero field
// of Config means its default.
const (
	DefaultUDPPort         = encap.DefaultPort // RFC 6951
	DefaultPMTU            = 1500              // path MTU where the OS cannot tell the route's (Ethernet)
	DefaultRTOInitial      = time.Second
	DefaultRTOMin          = time.Second
	DefaultRTOMax          = 60 * time.Second
	DefaultMaxInitRetrans  = 8
	DefaultAssocMaxRetrans = 10
	DefaultPathMaxRetrans  = 5
	DefaultHBInterval      = 30 * time.Second
	DefaultCookieLifetime  = 60 * time.Second
	DefaultSACKDelay       = 200 * time.Millisecond
	DefaultStreams         = 16
	DefaultBuffer          = 4 << 20 // send and receive buffer bytes
	DefaultBufferMax       = 16 << 20
	DefaultEventQueue      = 16
	DefaultAcceptBacklog   = 128
	DefaultSwitchbackHold  = 5 * time.Second
	DefaultAddressHold     = 500 * time.Millisecond
	DefaultHandoverHold    = 60 * time.Second

	// Limits against peers that ask for more than they need.
	DefaultMaxPeerAddrs             = 32
	DefaultMaxAssociations          = 10000
	DefaultUnconfirmedHeartbeatRate = 100 // per second, per endpoint
)

// Config configures an Endpoint and the associations it creates. The zero
// value is usable: every address of the host with RFC defaults
// everywhere, an ephemeral SCTP and UDP port for NewEndpoint (a client),
// the standard UDP port 9899 for Listen (a server).
type Config struct {
	// LocalAddrs are the IP addresses to use; each gets a UDP socket.
	// Empty means every address of the host, as kernel SCTP binds by
	// default (see Wildcard); 0.0.0.0 and :: in the list stand for every
	// address of their family.
	LocalAddrs []netip.Addr
	// Port is the local SCTP port. 0 picks an ephemeral port (clients).
	Port uint16
	// UDPPort is the UDP encapsulation port (RFC 6951). 0 means
	// DefaultUDPPort (9899) for Listen and an ephemeral port for
	// NewEndpoint; EphemeralUDPPort asks Listen for an ephemeral one.
	UDPPort uint16
	// Net is the network the sockets live on: nil for the host's, a
	// pion vnet in tests.
	Net transport.Net
	// PacketConn, when set, replaces the UDP transport entirely (the
	// simulated network of the tests uses it); Net, UDPPort, socket
	// buffers and Tap are then ignored.
	PacketConn func(h encap.Handler) (PacketConn, error)
	// SocketBuffer is the UDP socket buffer size (default 16 MiB,
	// DefaultBufferMax, where the OS allows it: the kernel takes memory
	// for what the socket holds, not for its size).
	SocketBuffer int
	// Tap, when set, records every packet sent and received: a
	// pcapng.Writer of package github.com/mobisctp/mobisctp/pcapng writes
	// them to a file Wireshark opens. The endpoint does not close it.
	Tap Tap
	// NoOffload turns off UDP segmentation offload (GSO on send, GRO on
	// receive; Linux only). With offload the kernel cuts a train of
	// equal-sized packets out of one buffer; without it each packet is a
	// message of its own in the batch.
	NoOffload bool

	// PMTU caps the path MTU in bytes, IP header included. Each path's
	// MTU search (RFC 8899) starts from a safe base (1248 bytes of IP
	// packet) and raises the path's packet size only as far as probes
	// are acknowledged, up to a ceiling: the MTU of the OS's route toward
	// the path's peer address when the search starts (the interface's,
	// 64 KiB on loopback, or a smaller one the kernel learned), at most
	// PMTU if set and at most 65535. Where the OS does not tell it
	// (other systems than Linux, a simulated network, an IPv6 link-local
	// peer), the ceiling is PMTU, or DefaultPMTU (1500) if zero.
	PMTU int
	// PMTUFixed turns the search off: every path uses PMTU (DefaultPMTU
	// if zero) as is, and DATA chunks are fragmented to fit it. For users
	// who know their path MTU.
	PMTUFixed bool
	// PMTUProbeTimeout is how long an MTU probe waits for its
	// acknowledgement before it counts as lost (5 s; at least 1 s).
	PMTUProbeTimeout time.Duration
	// SendBuffer bounds the bytes SendMsg queues ahead of the network
	// before it blocks; RecvBuffer is the receive window advertised to
	// the peer (both default 4 MiB).
	SendBuffer, RecvBuffer int
	// SendBufferMax is how far SendBuffer may grow: to twice the
	// primary path's congestion window, as Linux's TCP sizes its send
	// buffer. Default: DefaultBufferMax (16 MiB) if SendBuffer is left at
	// its default, else SendBuffer (no growth).
	SendBufferMax int
	// RTO bounds (RFC 9260 section 6.3): defaults 1 s, 1 s and 60 s.
	RTOInitial, RTOMin, RTOMax time.Duration
	// MaxInitRetrans, AssocMaxRetrans and PathMaxRetrans are the
	// retransmission limits of RFC 9260 section 16 (8, 10, 5).
	MaxInitRetrans, AssocMaxRetrans, PathMaxRetrans int
	// HeartbeatInterval is HB.interval (30 s); negative disables
	// heartbeats, including the probes that find a failed path recovered.
	HeartbeatInterval time.Duration
	// PFThreshold is the number of errors after which a path is
	// potentially failed and data moves to another one (SCTP-PF, RFC
	// 7829). The default 0 moves data at the first timeout; negative
	// disables SCTP-PF, so data moves only when a path is inactive.
	PFThreshold int
	// SwitchbackHold is how long a recovered preferred path must stay
	// active before data returns to it (default 5 s); negative means
	// data stays where it failed over to.
	SwitchbackHold time.Duration
	// HandoverHold is how long an association whose every path is down
	// waits for one to come back (the peer moving to a new address, or
	// we) when the error limits would abort it: its queued and
	// unacknowledged data wait and go out on the new path. The default
	// is DefaultHandoverHold (60 s) with AutoASCONF, which makes the
	// endpoint mobile, and none otherwise, so that a dead peer is noticed
	// at the RFC's limits (RSerPool failover depends on that). Negative
	// means none.
	HandoverHold time.Duration
	// CookieLifetime is Valid.Cookie.Life (60 s).
	CookieLifetime time.Duration
	// SACKDelay is the delayed-acknowledgement timer (200 ms), and
	// SACKFrequency the number of packets with DATA after which a SACK
	// goes out at once (2, as RFC 9260 section 6.2 recommends; larger
	// values trade the peer's window growth for fewer packets).
	SACKDelay     time.Duration
	SACKFrequency int
	// OutStreams is the number of outbound streams requested and
	// MaxInStreams the most inbound streams accepted (both 16).
	OutStreams, MaxInStreams uint16
	// NoDelay sends every message at once instead of waiting, while
	// data is in flight, until a full packet can be sent (Nagle).
	NoDelay bool
	// AcceptBacklog is how many established associations may wait for
	// Accept (128); more are aborted with an Out of Resource cause.
	AcceptBacklog int
	// EventQueue is the capacity of the event channel (16). When the
	// application does not keep up, the oldest event is dropped and
	// counted.
	EventQueue int
	// DisableAuth turns off SCTP-AUTH (RFC 4895), and with it ASCONF.
	DisableAuth bool
	// AuthChunks lists chunk types the peer must authenticate, on top of
	// ASCONF and ASCONF-ACK, which always are (RFC 5061).
	AuthChunks []wire.ChunkType
	// DisableAddIP turns off Dynamic Address Reconfiguration (RFC 5061).
	DisableAddIP bool
	// AutoASCONF watches the host's interfaces and tells every
	// association's peer about local addresses that appear and disappear
	// (RFC 5061), after they have stayed so for AddressHold (default
	// 500 ms, so a flapping interface causes no churn). With
	// AutoSetPrimary a new address also becomes the peer's primary
	// destination, and our own data moves to the peer address the new
	// one reaches best, once a heartbeat confirms that path: the
	// make-before-break move of a mobile host, in both directions.
	AutoASCONF     bool
	AutoSetPrimary bool
	AddressHold    time.Duration
	// AddressWatcher replaces the host watcher of AutoASCONF (tests use
	// one on the simulated network).
	AddressWatcher AddressWatcher
	// DisableIData turns off I-DATA (RFC 8260) even if the peer supports
	// it; DisablePRSCTP turns off PR-SCTP (RFC 3758).
	DisableIData, DisablePRSCTP bool
	// AcceptZeroChecksum accepts packets whose CRC32c field is zero, as
	// usrsctp sends on loopback by default. Off: such packets are counted
	// and dropped like any bad checksum.
	AcceptZeroChecksum bool
	// MaxPeerAddrs bounds the peer addresses an association keeps (32):
	// the address the INIT or INIT ACK came from, then those it lists, in
	// their order; the rest are ignored and counted
	// (EndpointStats.PeerAddrsIgnored), and an ASCONF that would add more
	// is refused with "Operation Refused Due to Resource Shortage".
	MaxPeerAddrs int
	// MaxAssociations bounds the associations of the endpoint (10000).
	// Beyond it an INIT or COOKIE ECHO from a new peer is answered with an
	// ABORT carrying an Out of Resource cause and counted
	// (EndpointStats.AssociationsRefused); Dial returns
	// ErrTooManyAssociations.
	MaxAssociations int
	// UnconfirmedHeartbeatRate bounds the HEARTBEATs per second that the
	// endpoint sends, all associations together, to peer addresses not
	// yet confirmed (100, in bursts of as many). The peer chooses those
	// addresses and need not own them; beyond the rate a probe waits one
	// RTO and is counted (EndpointStats.HeartbeatsThrottled).
	UnconfirmedHeartbeatRate int
	// LoggerFactory gives the loggers ("sctp" scope); nil logs nothing.
	LoggerFactory logging.LoggerFactory
	// EphemeralUDPPort makes a zero UDPPort an ephemeral port for Listen
	// too (tests, or servers found through RSerPool or by announcement).
	EphemeralUDPPort bool
}

// Tap records UDP datagrams as they are sent and received; see Config.Tap.
type Tap = encap.Tap

// DefaultConfig returns the configuration of a server endpoint on the
// standard UDP encapsulation port, for NewEndpoint as for Listen.
func DefaultConfig() Config {
	return Config{UDPPort: DefaultUDPPort}
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if len(c.LocalAddrs) == 0 {
		c.LocalAddrs = Wildcard()
	}
	if c.SendBufferMax == 0 && c.SendBuffer == 0 {
		c.SendBufferMax = DefaultBufferMax
	}
	config.Default(&c.SendBuffer, DefaultBuffer)
	c.SendBufferMax = max(c.SendBufferMax, c.SendBuffer)
	config.Default(&c.RecvBuffer, DefaultBuffer)
	config.Default(&c.SocketBuffer, DefaultBufferMax)
	config.Default(&c.RTOInitial, DefaultRTOInitial)
	config.Default(&c.RTOMin, DefaultRTOMin)
	config.Default(&c.RTOMax, DefaultRTOMax)
	config.Default(&c.MaxInitRetrans, DefaultMaxInitRetrans)
	config.Default(&c.AssocMaxRetrans, DefaultAssocMaxRetrans)
	config.Default(&c.PathMaxRetrans, DefaultPathMaxRetrans)
	config.Default(&c.HeartbeatInterval, DefaultHBInterval)
	config.Default(&c.SwitchbackHold, DefaultSwitchbackHold)
	config.Default(&c.AddressHold, DefaultAddressHold)
	if c.AutoASCONF {
		config.Default(&c.HandoverHold, DefaultHandoverHold)
	}
	config.Default(&c.CookieLifetime, DefaultCookieLifetime)
	config.Default(&c.SACKDelay, DefaultSACKDelay)
	config.Default(&c.SACKFrequency, 2)
	config.Default(&c.OutStreams, DefaultStreams)
	config.Default(&c.MaxInStreams, DefaultStreams)
	config.Default(&c.EventQueue, DefaultEventQueue)
	config.Default(&c.AcceptBacklog, DefaultAcceptBacklog)
	config.Default(&c.MaxPeerAddrs, DefaultMaxPeerAddrs)
	config.Default(&c.MaxAssociations, DefaultMaxAssociations)
	config.Default(&c.UnconfirmedHeartbeatRate, DefaultUnconfirmedHeartbeatRate)
	if c.LoggerFactory == nil {
		c.LoggerFactory = logging.NewDefaultLoggerFactory()
		c.LoggerFactory.(*logging.DefaultLoggerFactory).DefaultLogLevel = logging.LogLevelDisabled
	}
	return c
}

// pmtu is the path MTU where the OS's route does not tell it: PMTU, or
// DefaultPMTU if zero.
func (c *Config) pmtu() int {
	if c.PMTU != 0 {
		return c.PMTU
	}
	return DefaultPMTU
}

// validate reports the first configuration value that cannot work, naming
// the field.
func (c Config) validate() error {
	err := config.Validate("sctp",
		config.Check{Bad: c.PMTU != 0 && (c.PMTU < 576 || c.PMTU > 65535), Field: "PMTU", Why: "must be 0 (the route's MTU) or between 576 and 65535"},
		config.Check{Bad: c.SendBuffer < 0, Field: "SendBuffer", Why: "must not be negative"},
		config.Check{Bad: c.RecvBuffer < 0 || (c.RecvBuffer > 0 && c.RecvBuffer < 1500), Field: "RecvBuffer", Why: "must be at least 1500 bytes (RFC 9260 section 6)"},
		config.Check{Bad: c.SendBufferMax < 0, Field: "SendBufferMax", Why: "must not be negative"},
		config.Check{Bad: c.RTOInitial < 0 || c.RTOMin < 0 || c.RTOMax < 0, Field: "RTO", Why: "durations must not be negative"},
		config.Check{Bad: c.RTOMin != 0 && c.RTOMax != 0 && c.RTOMin > c.RTOMax, Field: "RTOMin", Why: "must not exceed RTOMax"},
		config.Check{Bad: c.MaxInitRetrans < 0 || c.AssocMaxRetrans < 0 || c.PathMaxRetrans < 0, Field: "retransmission limits", Why: "must not be negative"},
		config.Check{Bad: c.MaxPeerAddrs < 0 || c.MaxAssociations < 0 || c.UnconfirmedHeartbeatRate < 0, Field: "limits", Why: "must not be negative"},
		config.Check{Bad: c.CookieLifetime < 0, Field: "CookieLifetime", Why: "must not be negative"},
		config.Check{Bad: c.SACKDelay < 0 || c.SACKDelay > 500*time.Millisecond, Field: "SACKDelay", Why: "must be between 0 and 500ms (RFC 9260 section 6.2)"},
	)
	if err != nil {
		return err
	}
	for _, a := range c.LocalAddrs {
		if !a.IsValid() || a.IsMulticast() {
			return fmt.Errorf("sctp: config LocalAddrs: %v is not a usable address", a)
		}
	}
	return nil
}
