package asap

import (
	"context"
	"errors"
	"fmt"
	"github.com/mobisctp/mobisctp/internal/eventq"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// DefaultReregInterval is how often an element renews its registration
// (RSPLIB's default); it registers for three times as long.
const DefaultReregInterval = 30 * time.Second

// ElementConfig configures a pool element. Zero fields take their
// defaults.
type ElementConfig struct {
	// Handle is the pool to join. Required.
	Handle wire.PoolHandle
	// Registrars lists the registrars to register with, in order of
	// preference. Those Announces has heard of come after them. One of
	// the two is required.
	Registrars []stack.Remote
	// Announces, if set, adds the registrars heard in Server Announces.
	// The element does not close it.
	Announces *Announces
	// Policy is the element's pool member selection policy and its
	// values. The zero value means Round Robin, as in RSPLIB.
	Policy wire.Policy
	// ID is the element's identifier; 0 picks one at random.
	ID wire.PEID
	// ReregInterval is the time between registrations (30 s). The
	// registration life is three times as long, so that two renewals may
	// be lost before the registration runs out.
	ReregInterval time.Duration
	// RequestTimeout bounds each association setup with a registrar and
	// each answer (3 s).
	RequestTimeout time.Duration
	// EventQueue is the capacity of the event channel (16).
	EventQueue int
	// KeyID, if not 0, is the Shared Key Identifier of the element key
	// (RFC 4895 endpoint-pair shared key) that the endpoint holds, signs
	// with (stack.Endpoint.SetKey, ActivateKey) and shares with its
	// registrars. Registrars then prove themselves too (RFC 5355): the
	// element takes a registrar's answer only if it is authenticated
	// with this key, and otherwise moves on to the next registrar. The
	// endpoint must ask its peers to authenticate DATA
	// (stack.Config.AuthChunks), or no answer can be.
	KeyID uint16
}

func (c ElementConfig) withDefaults() ElementConfig {
	if c.Policy.Type == 0 {
		c.Policy = wire.Policy{Type: wire.PolicyRoundRobin}
	}
	for c.ID == 0 {
		c.ID = wire.PEID(rand.Uint32())
	}
	if c.ReregInterval <= 0 {
		c.ReregInterval = DefaultReregInterval
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	return c
}

// maxReregInterval keeps the registration life, three intervals, within
// its 32-bit millisecond field.
const maxReregInterval = time.Duration(1<<32-1) * time.Millisecond / 3

func (c ElementConfig) validate(ep *stack.Endpoint) error {
	switch {
	case len(c.Handle) == 0:
		return errors.New("asap: ElementConfig.Handle is empty")
	case len(c.Registrars) == 0 && c.Announces == nil:
		return errors.New("asap: ElementConfig.Registrars is empty and there are no Announces: one is needed to find a registrar")
	case c.ReregInterval > maxReregInterval:
		return fmt.Errorf("asap: ElementConfig.ReregInterval %v exceeds %v", c.ReregInterval, maxReregInterval)
	case ep.UDPPort() != ep.Port():
		return fmt.Errorf("asap: the element's UDP port %d differs from its SCTP port %d; pool users could not reach it (see ElementEndpoint)",
			ep.UDPPort(), ep.Port())
	}
	if err := checkKeyed("ElementConfig", c.KeyID, ep); err != nil {
		return err
	}
	return policy.Validate(c.Policy)
}

// Element is a pool element: an SCTP endpoint registered under a pool
// handle. Its methods are safe for concurrent use.
type Element struct {
	cfg    ElementConfig
	ep     *stack.Endpoint
	regs   *registrarSet
	events *eventq.Queue[ElementEvent]
	// movedFrom is the registrar association Reregister replaced last:
	// its end is no registrar failure.
	movedFrom atomic.Pointer[registrarConn]

	// users hands pool users' associations from acceptLoop to Accept; it
	// is closed, after acceptErr is set, when the endpoint stops accepting.
	users     chan *stack.Association
	acceptErr error

	ctx        context.Context // ends with Close
	cancel     context.CancelFunc
	done       chan struct{} // closed when the registration loop has ended
	closeOnce  sync.Once
	registered atomic.Bool // some registrar took a registration
}

// NewElement makes ep a pool element: it starts accepting associations
// and registering ep's addresses and port at once, in the background;
// Events reports how that goes. From then on pool users' associations come
// from Accept or AcceptAssociation, not ep.Accept. The caller closes ep
// after Close.
func NewElement(ep *stack.Endpoint, cfg ElementConfig) (*Element, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(ep); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Element{cfg: cfg, ep: ep, events: eventq.New[ElementEvent](cfg.EventQueue), ctx: ctx, cancel: cancel, done: make(chan struct{}),
		users: make(chan *stack.Association, stack.DefaultAcceptBacklog)}
	e.regs = newRegistrarSet(ep, cfg.Registrars, cfg.Announces, cfg.RequestTimeout, e.keepAlive)
	e.regs.key = cfg.KeyID
	ep.Listen()
	go e.acceptLoop()
	go e.run(ctx)
	return e, nil
}

// ID returns the element's pool element identifier.
func (e *Element) ID() wire.PEID { return e.cfg.ID }

// Events returns the channel of registration events. It is closed after
// Close. When it is not read, the oldest events are dropped.
func (e *Element) Events() <-chan ElementEvent { return e.events.C() }

// Accept waits for a pool user's association. Associations that
// registrars open to the element (a new home after a takeover) are the
// element's own and never returned.
func (e *Element) Accept(ctx context.Context) (*UserConn, error) {
	a, err := e.AcceptAssociation(ctx)
	if err != nil {
		return nil, err
	}
	return newUserConn(a), nil
}

// AcceptAssociation is Accept for code that speaks to pool users over the
// association itself. The endpoint's own Accept must not be called once
// it is an element's: it would take registrars' associations too.
func (e *Element) AcceptAssociation(ctx context.Context) (*stack.Association, error) {
	select {
	case a, ok := <-e.users:
		if !ok {
			return nil, e.acceptErr
		}
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops renewing the registration and deregisters the element, if
// it ever registered, then closes the association with the registrar.
// Associations with pool users stay up until the endpoint closes.
func (e *Element) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.cancel()
		<-e.done
		if e.registered.Load() {
			ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
			err = e.deregister(ctx)
			cancel()
			e.events.Post(ElementEvent{Type: ElementDeregistered, Time: time.Now(), Err: err})
		}
		e.regs.close()
		e.events.Close()
	})
	return err
}
