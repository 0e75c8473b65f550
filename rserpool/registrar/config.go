package registrar

import (
	"crypto/rand"
	"encoding/binary"
	"github.com/mobisctp/mobisctp/internal/config"
	"net/netip"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Defaults of the registrar. The timers and limits are RSPLIB's
// (rspregistrar.h), except the resource limits (Max*) and EventQueue,
// which RSPLIB does not have. The resource limits are what one registrar
// of a site can serve comfortably (a few hundred MB with all of them
// reached together): far above what well-behaved pool elements need, low
// enough that one peer cannot take the registrar's memory or keep-alive
// budget.
const (
	DefaultPort                 = wire.PortASAP // SCTP port
	DefaultUDPPort              = stack.DefaultUDPPort
	DefaultKeepAliveInterval    = 5 * time.Second
	DefaultKeepAliveTimeout     = 5 * time.Second
	DefaultUnreachableThreshold = 3
	DefaultResolutionItems      = 3       // elements per resolution without a Handle Resolution Option
	DefaultMaxResolutionItems   = 128     // most elements one resolution returns
	DefaultMaxTableEntries      = 128     // elements per ENRP Handle Table Response
	DefaultMaxHandleLen         = 32      // bytes; RSPLIB's MAX_POOLHANDLESIZE
	DefaultMaxElements          = 100_000 // about 55 MB of handlespace
	DefaultMaxElementsPerAssoc  = 64      // an element process rarely hosts more
	DefaultMaxElementsPerAddr   = 1024    // one host, or many behind one NAT address
	DefaultMaxPools             = 16384   // a pool costs a few KB even with one element
	DefaultMaxSessions          = 16384   // ASAP associations, pool users' included
	DefaultMaxLifetime          = time.Hour
	DefaultAnnounceInterval     = time.Second
	DefaultAnnounceTTL          = 30
	DefaultEventQueue           = 256
)

// Config configures a Registrar. The zero value is usable; a zero field
// means its default. DefaultConfig gives a server on the standard ports.
type Config struct {
	// Endpoint configures the SCTP endpoint the registrar listens on. A
	// zero Port means DefaultPort (3863); a zero UDPPort means
	// DefaultUDPPort (9899), as for any stack.Listen. NoDelay is
	// always set: every ASAP message is a request or an answer someone
	// waits for.
	Endpoint stack.Config
	// ServerID identifies the registrar; 0 picks a random nonzero one.
	ServerID wire.ServerID

	// KeepAliveInterval is how long after a registration, or after the
	// last Endpoint Keep-Alive Ack, the registrar probes a pool element it
	// is home for; KeepAliveTimeout is how long it waits for the Ack
	// before removing the element. A killed element is gone at most
	// KeepAliveInterval+KeepAliveTimeout after it last answered.
	KeepAliveInterval, KeepAliveTimeout time.Duration
	// UnreachableThreshold is the number of Endpoint Unreachable reports
	// from pool users that remove an element (MAX-BAD-PE-REPORT).
	UnreachableThreshold int

	// ResolutionItems is how many elements a Handle Resolution without
	// a Handle Resolution Option gets; MaxResolutionItems caps what the
	// option may ask for.
	ResolutionItems, MaxResolutionItems int
	// MaxTableEntries is how many elements one ENRP Handle Table
	// Response carries; the requester asks again for the rest.
	MaxTableEntries int
	// MaxHandleLen is the longest pool handle accepted, in bytes.
	MaxHandleLen int
	// MaxElements is how many pool elements the handlespace holds; more
	// registrations are refused with Lack of Resources.
	MaxElements int
	// MaxElementsPerAssoc is how many elements one ASAP association may
	// have registered; it also bounds the Endpoint Keep-Alives sent down
	// one association per interval. MaxElementsPerAddr is how many the
	// associations from one peer address (where the association's
	// handshake came from) may have registered together. MaxPools is how
	// many pools the handlespace holds. Registrations beyond them are
	// refused with Lack of Resources, as RFC 5352 asks of a registrar
	// that cannot take an element.
	MaxElementsPerAssoc, MaxElementsPerAddr, MaxPools int
	// MaxSessions is how many ASAP associations (pool elements', pool
	// users' and hsdump's) are served at once; more are aborted at once
	// with a User-Initiated Abort that says why.
	MaxSessions int
	// MaxLifetime clamps the registration life an element asks for: a
	// longer one is stored as MaxLifetime.
	MaxLifetime time.Duration
	// TakeOver, if set, may allow an association to re-register or
	// deregister an element that another association registered and
	// that association still lives: the extension point for RFC 5355's
	// answer to registration spoofing, a claimant that proves itself with
	// an SCTP-AUTH key configured for the pool (that key work comes with
	// ENRP). Without it such claims are refused until the owner's
	// association ends or fails its keep-alive.
	TakeOver func(Claim) bool
	// ElementKeys, when not empty, are the SCTP-AUTH keys pool elements
	// must register with (RFC 5355): a Registration is accepted only if
	// an element key authenticated it and that key allows its pool; see
	// keys.go. Pool users need no key. The registrar signs its answers
	// to an element with the element's key, which proves it to the
	// element (asap.ElementConfig.KeyID).
	ElementKeys []ElementKey
	// UserKeys are keys pool users may sign with, so that the registrar
	// proves itself to them the same way (asap.UserConfig.KeyID). They
	// allow no registration.
	UserKeys []UserKey

	// Announce, when valid, is where Server Announces go by UDP: the ASAP
	// multicast group (wire.ASAPAnnounceAddr) or any unicast address.
	// Off by default.
	Announce netip.AddrPort
	// AnnounceInterval is the mean time between announces (1 s); each is
	// jittered by up to a quarter of it, as RSPLIB does.
	AnnounceInterval time.Duration
	// AnnounceTTL is the multicast TTL (hop limit) of announces (30).
	AnnounceTTL int

	// ENRP configures the peering with other registrars; off unless
	// ENRP.Port is set.
	ENRP ENRPConfig

	// EventQueue is the capacity of the Events channel (256); when it is
	// full, the oldest event is dropped and counted.
	EventQueue int
	// Seed seeds the random source of the weighted selection policies;
	// 0 picks a random seed.
	Seed uint64
	// LoggerFactory gives the "registrar" logger; nil uses
	// Endpoint.LoggerFactory, and if that is nil too nothing is logged.
	// It is the endpoint's too if Endpoint.LoggerFactory is nil.
	LoggerFactory logging.LoggerFactory
}

// DefaultConfig returns the configuration of a registrar on the standard
// SCTP port and UDP encapsulation port.
func DefaultConfig() Config {
	return Config{Endpoint: stack.Config{Port: DefaultPort, UDPPort: DefaultUDPPort}}
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	config.Default(&c.Endpoint.Port, DefaultPort)
	c.Endpoint.NoDelay = true
	config.Default(&c.KeepAliveInterval, DefaultKeepAliveInterval)
	config.Default(&c.KeepAliveTimeout, DefaultKeepAliveTimeout)
	config.Default(&c.UnreachableThreshold, DefaultUnreachableThreshold)
	config.Default(&c.ResolutionItems, DefaultResolutionItems)
	config.Default(&c.MaxResolutionItems, DefaultMaxResolutionItems)
	config.Default(&c.MaxTableEntries, DefaultMaxTableEntries)
	config.Default(&c.MaxHandleLen, DefaultMaxHandleLen)
	config.Default(&c.MaxElements, DefaultMaxElements)
	config.Default(&c.MaxElementsPerAssoc, DefaultMaxElementsPerAssoc)
	config.Default(&c.MaxElementsPerAddr, DefaultMaxElementsPerAddr)
	config.Default(&c.MaxPools, DefaultMaxPools)
	config.Default(&c.MaxSessions, DefaultMaxSessions)
	config.Default(&c.MaxLifetime, DefaultMaxLifetime)
	config.Default(&c.AnnounceInterval, DefaultAnnounceInterval)
	config.Default(&c.AnnounceTTL, DefaultAnnounceTTL)
	config.Default(&c.EventQueue, DefaultEventQueue)
	c.ENRP.withDefaults()
	for c.ServerID == 0 {
		c.ServerID = wire.ServerID(randomUint32())
	}
	for c.Seed == 0 {
		c.Seed = uint64(randomUint32())<<32 | uint64(randomUint32())
	}
	if c.LoggerFactory == nil {
		c.LoggerFactory = c.Endpoint.LoggerFactory
	}
	if c.LoggerFactory == nil {
		f := logging.NewDefaultLoggerFactory()
		f.DefaultLogLevel = logging.LogLevelDisabled
		c.LoggerFactory = f
	}
	if c.Endpoint.LoggerFactory == nil {
		c.Endpoint.LoggerFactory = c.LoggerFactory
	}
	return c
}

// validate reports the first value that cannot work, naming the field.
func (c Config) validate() error {
	if err := config.Validate("registrar",
		config.Check{Bad: c.KeepAliveInterval < 0 || c.KeepAliveTimeout < 0, Field: "KeepAliveInterval/KeepAliveTimeout", Why: "must not be negative"},
		config.Check{Bad: c.UnreachableThreshold < 0, Field: "UnreachableThreshold", Why: "must not be negative"},
		config.Check{Bad: c.ResolutionItems < 0 || c.MaxResolutionItems < 0, Field: "ResolutionItems/MaxResolutionItems", Why: "must not be negative"},
		config.Check{Bad: c.MaxTableEntries < 0, Field: "MaxTableEntries", Why: "must not be negative"},
		config.Check{Bad: c.MaxHandleLen < 0 || c.MaxElements < 0, Field: "MaxHandleLen/MaxElements", Why: "must not be negative"},
		config.Check{Bad: c.MaxElementsPerAssoc < 0 || c.MaxElementsPerAddr < 0 || c.MaxPools < 0 || c.MaxSessions < 0,
			Field: "MaxElementsPerAssoc/MaxElementsPerAddr/MaxPools/MaxSessions", Why: "must not be negative"},
		config.Check{Bad: c.MaxLifetime < 0, Field: "MaxLifetime", Why: "must not be negative"},
		config.Check{Bad: c.AnnounceInterval < 0, Field: "AnnounceInterval", Why: "must not be negative"},
		config.Check{Bad: c.AnnounceTTL < 0 || c.AnnounceTTL > 255, Field: "AnnounceTTL", Why: "must be between 0 and 255"},
		config.Check{Bad: c.EventQueue < 0, Field: "EventQueue", Why: "must not be negative"},
	); err != nil {
		return err
	}
	return validateKeys(sharedKeys(c.ElementKeys, c.UserKeys))
}

// randomUint32 returns a random number from the operating system.
func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return binary.BigEndian.Uint32(b[:])
}
