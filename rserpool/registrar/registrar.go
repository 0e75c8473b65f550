package registrar

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Registrar is an RSerPool registrar (an ENRP server in the RFCs' terms)
// serving ASAP on one SCTP endpoint.
type Registrar struct {
	cfg    Config
	log    logging.LeveledLogger
	ep     *stack.Endpoint
	enrp   *enrpNet // nil with ENRP off
	core   *core
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Listen starts a registrar: it opens the SCTP endpoint, accepts ASAP
// associations, watches the pool elements that register, and sends Server
// Announces if configured to. Close stops it.
func Listen(cfg Config) (*Registrar, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log := cfg.LoggerFactory.NewLogger("registrar")
	keys := sharedKeys(cfg.ElementKeys, cfg.UserKeys)
	ep, err := stack.Listen(keyedAuth(cfg.Endpoint, keys))
	if err != nil {
		return nil, fmt.Errorf("registrar: %w", err)
	}
	installKeys(ep, keys)
	r := &Registrar{cfg: cfg, log: log, ep: ep, core: newCore(cfg, log)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if cfg.Announce.IsValid() {
		c, err := openAnnounce(cfg.Announce, cfg.AnnounceTTL)
		if err != nil {
			ep.Close()
			return nil, err
		}
		r.wg.Go(func() { r.announce(r.ctx, c) })
	}
	if err := r.startENRP(); err != nil {
		r.cancel()
		ep.Close()
		return nil, err
	}
	r.wg.Go(r.acceptLoop)
	r.wg.Go(r.timerLoop)
	log.Infof("registrar $%08x on %v, SCTP port %d, UDP port %d", uint32(cfg.ServerID), ep.LocalAddrs(), ep.Port(), ep.UDPPort())
	return r, nil
}

// Close stops the registrar: it aborts every association, and with them
// removes every pool element, then closes Events.
func (r *Registrar) Close() error {
	var err error
	r.once.Do(func() {
		err = r.ep.Close()
		if r.enrp != nil {
			r.enrp.ep.Close()
		}
		r.cancel()
		r.wg.Wait()
		r.core.events.Close()
	})
	return err
}

// acceptLoop starts a session for every association until Close.
func (r *Registrar) acceptLoop() {
	for {
		a, err := r.ep.Accept(r.ctx)
		if err != nil {
			return
		}
		r.startSession(a)
	}
}

// startSession serves an accepted association.
func (r *Registrar) startSession(c conn) {
	if !r.core.admitSession() {
		r.log.Warnf("aborted the ASAP association from %v: %d associations already", c.RemoteAddr(), r.cfg.MaxSessions)
		r.wg.Go(func() { c.Abort(tooManySessions) })
		return
	}
	s := newSession(c)
	r.log.Debugf("ASAP association from %v", s.from)
	r.run(s, r.core)
}

// tooManySessions is the reason of the ABORT that refuses an association
// beyond MaxSessions, in its User-Initiated Abort cause.
const tooManySessions = "registrar: too many ASAP associations"

// timerLoop runs the element timers: one clock timer, always set to the
// earliest deadline of the handlespace.
func (r *Registrar) timerLoop() {
	var acts timerActions
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next, armed := r.core.fire(time.Now(), &acts)
		r.core.perform(&acts)
		if armed {
			t.Reset(time.Until(next))
		} else {
			t.Stop()
		}
		select {
		case <-t.C:
		case <-r.core.wake:
		case <-r.ctx.Done():
			return
		}
	}
}

// ServerID returns the registrar's identifier.
func (r *Registrar) ServerID() wire.ServerID { return r.cfg.ServerID }

// Port returns the SCTP port the registrar listens on.
func (r *Registrar) Port() uint16 { return r.ep.Port() }

// UDPPort returns the UDP encapsulation port.
func (r *Registrar) UDPPort() uint16 { return r.ep.UDPPort() }

// LocalAddrs returns the registrar's addresses.
func (r *Registrar) LocalAddrs() []netip.Addr { return r.ep.LocalAddrs() }

// Events returns the channel of handlespace changes: registrations,
// refused registrations and removals. It is closed by Close. Events not
// read in time are dropped (the oldest first) and counted in Stats.
func (r *Registrar) Events() <-chan Event { return r.core.events.C() }

// Table returns a copy of the handlespace.
func (r *Registrar) Table() Table { return r.core.table() }

// Stats returns a snapshot of the counters.
func (r *Registrar) Stats() Stats {
	c := r.core
	c.mu.Lock()
	s := c.stats.snapshot()
	s.Pools = c.hs.PoolCount()
	s.Elements = c.hs.Len()
	c.mu.Unlock()
	s.ServerID = r.cfg.ServerID
	s.EventsDropped = c.events.Dropped()
	return s
}
