package handlespace

import (
	"bytes"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Registration is what a registrar learned about a pool element from an
// ASAP registration or an ENRP update.
type Registration struct {
	Handle []byte // pool handle
	ID     uint32 // PE identifier
	// Home is the home registrar identifier the element reported.
	Home uint32
	// Owner is the registrar that owns the registration in this
	// handlespace: the one that serves the element and whose PE checksum
	// covers it. Normally the same as Home.
	Owner    uint32
	Lifetime time.Duration // registration lifetime
	// Transport is the element's user transport, encoded. The handlespace
	// copies it and never looks inside.
	Transport []byte
	Policy    wire.Policy
}

// PoolElement is a registered pool element. Its accessors stay valid after
// the element leaves the handlespace; it is changed only through the
// Handlespace.
type PoolElement struct {
	pool       *Pool
	id         uint32
	home       uint32
	owner      uint32
	sum        uint64 // part of the owner's PE checksum, see checksum.go
	lifetime   time.Duration
	registered time.Time
	updated    time.Time
	transport  []byte
	state      policy.State
	selKey     policy.Key        // where the element sits in its pool's selection index
	timers     [timerKinds]int32 // heap position + 1 of each armed timer, 0 if unarmed
	gone       bool              // removed from the handlespace
}

// Handle returns the handle of the element's pool.
func (e *PoolElement) Handle() string { return e.pool.handle }

// ID returns the PE identifier.
func (e *PoolElement) ID() uint32 { return e.id }

// Home returns the home registrar identifier the element reported.
func (e *PoolElement) Home() uint32 { return e.home }

// Owner returns the identifier of the registrar that owns the registration.
func (e *PoolElement) Owner() uint32 { return e.owner }

// Lifetime returns the registration lifetime.
func (e *PoolElement) Lifetime() time.Duration { return e.lifetime }

// Registered returns when the element first registered.
func (e *PoolElement) Registered() time.Time { return e.registered }

// Updated returns when the element last registered or re-registered.
func (e *PoolElement) Updated() time.Time { return e.updated }

// Expires returns when the registration lifetime runs out.
func (e *PoolElement) Expires() time.Time { return e.updated.Add(e.lifetime) }

// Transport returns the encoded user transport. The caller must not modify
// it.
func (e *PoolElement) Transport() []byte { return e.transport }

// Policy returns the policy parameter of the registration, including the
// Distance a registrar set for the delay-sensitive policies.
func (e *PoolElement) Policy() wire.Policy { return e.state.Policy() }

// Selection returns the element's selection state (for example the load
// degradation accumulated since the last update).
func (e *PoolElement) Selection() *policy.State { return &e.state }

// set copies the registration's element fields into e.
func (e *PoolElement) set(r *Registration, now time.Time) {
	e.home, e.owner = r.Home, r.Owner
	e.lifetime, e.updated = r.Lifetime, now
	e.transport = bytes.Clone(r.Transport) // a fresh copy: callers may still hold the old one
}
