package asap

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/internal/config"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// DefaultAnnounceTimeout is how long a registrar heard in a Server
// Announce stays known without another one: RSPLIB's
// ASAP_DEFAULT_REGISTRAR_ANNOUNCE_TIMEOUT, five of a registrar's default
// one-second announce intervals, so that four announces in a row may be
// lost.
const DefaultAnnounceTimeout = 5 * time.Second

// maxAnnounced bounds the registrars a listener keeps, so that announces
// with made-up server identifiers cannot make it grow without end. A
// network has a handful of registrars.
const maxAnnounced = 64

// AnnounceConfig configures ListenAnnounces. Zero fields take their
// defaults.
type AnnounceConfig struct {
	// Addr is where Server Announces arrive: a multicast group and port
	// (wire.ASAPAnnounceAddr, the default), which is joined, or a unicast
	// address and port (port 0: picked at random, see Announces.Addr).
	Addr netip.AddrPort
	// Timeout is how long a registrar stays known after its last
	// announce (DefaultAnnounceTimeout).
	Timeout time.Duration
	// UDPPort is the registrars' UDP encapsulation port
	// (stack.DefaultUDPPort): announces name a registrar's addresses and
	// SCTP port, not the UDP port that SCTP over UDP also needs.
	UDPPort uint16
}

func (c AnnounceConfig) withDefaults() AnnounceConfig {
	config.Default(&c.Addr, wire.ASAPAnnounceAddr)
	c.Addr = netip.AddrPortFrom(c.Addr.Addr().Unmap(), c.Addr.Port())
	config.Default(&c.Timeout, DefaultAnnounceTimeout)
	config.Default(&c.UDPPort, stack.DefaultUDPPort)
	return c
}

func (c AnnounceConfig) validate() error {
	return config.Validate("asap",
		config.Check{Bad: c.Timeout < 0, Field: "AnnounceConfig.Timeout", Why: "must not be negative"},
	)
}

// AnnounceStats counts what an Announces listener received.
type AnnounceStats struct {
	Announces uint64 // Server Announces taken in
	Malformed uint64 // datagrams that are no ASAP message, or no valid Server Announce
	// Ignored counts other ASAP messages, and announces that name no SCTP
	// transport or come from a new registrar when 64 are known already.
	Ignored uint64
}

// Announces listens for registrars' Server Announces (RFC 5352) and keeps
// the registrars it heard from within the timeout, for
// ElementConfig.Announces and UserConfig.Announces. One listener may serve
// several elements and users; close it after them. Its methods are safe
// for concurrent use.
type Announces struct {
	c    *net.UDPConn
	cfg  AnnounceConfig
	addr netip.AddrPort
	done chan struct{} // closed when the reader has ended

	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	known []heardRegistrar // in the order first heard
	stats AnnounceStats
}

// heardRegistrar is a registrar known from its announces.
type heardRegistrar struct {
	id     wire.ServerID
	remote stack.Remote
	last   time.Time // when it was last heard
}

// ListenAnnounces starts listening for Server Announces at cfg.Addr. For a
// multicast group it joins the group on every interface that is up and
// multicast-capable, and on loopback; joining may fail on some of them,
// but not on all. Interfaces that come up later are not joined.
func ListenAnnounces(cfg AnnounceConfig) (*Announces, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c, err := listenAnnounce(cfg.Addr)
	if err != nil {
		return nil, err
	}
	port := c.LocalAddr().(*net.UDPAddr).AddrPort().Port()
	a := &Announces{c: c, cfg: cfg, addr: netip.AddrPortFrom(cfg.Addr.Addr(), port), done: make(chan struct{})}
	go a.read()
	return a, nil
}

// Addr returns the address listened on, with the port picked if the
// configuration left it 0.
func (a *Announces) Addr() netip.AddrPort { return a.addr }

// Registrars returns the registrars heard within the timeout, in the order
// they were first heard; one heard again after it was forgotten comes
// last. Registrars that share an address and the SCTP port (one restarted
// with a new server identifier) are listed once.
func (a *Announces) Registrars() []stack.Remote {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.expire(now)
	var out []stack.Remote
	for _, k := range a.known {
		if !slices.ContainsFunc(out, func(r stack.Remote) bool { return sameRegistrar(r, k.remote) }) {
			out = append(out, stack.Remote{Addrs: slices.Clone(k.remote.Addrs), Port: k.remote.Port, UDPPort: k.remote.UDPPort})
		}
	}
	return out
}

// Stats returns the counters.
func (a *Announces) Stats() AnnounceStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Close stops listening. Registrars returns none afterwards: a closed
// listener would not notice that they go away.
func (a *Announces) Close() error {
	a.closeOnce.Do(func() {
		a.closeErr = a.c.Close()
		<-a.done
		a.mu.Lock()
		a.known = nil
		a.mu.Unlock()
	})
	return a.closeErr
}

// heard records the registrar that sa, from src, announces as of now. It
// returns false if sa names no usable transport, or for a new registrar
// when maxAnnounced are known already.
func (a *Announces) heard(sa wire.ServerAnnounce, src netip.Addr, now time.Time) bool {
	r, ok := registrarOf(sa, src, a.cfg.UDPPort)
	if !ok {
		return false
	}
	a.expire(now)
	i := slices.IndexFunc(a.known, func(k heardRegistrar) bool { return k.id == sa.ServerID })
	if i < 0 {
		if len(a.known) >= maxAnnounced {
			return false
		}
		a.known = append(a.known, heardRegistrar{id: sa.ServerID})
		i = len(a.known) - 1
	}
	a.known[i].remote, a.known[i].last = r, now
	return true
}

// expire forgets the registrars not heard within the timeout.
func (a *Announces) expire(now time.Time) {
	a.known = slices.DeleteFunc(a.known, func(k heardRegistrar) bool { return now.Sub(k.last) >= a.cfg.Timeout })
}

// sameRegistrar reports whether a and b are the same SCTP endpoint: the
// same port and an address in common (one list may name a multi-homed
// registrar by fewer addresses than the other).
func sameRegistrar(a, b stack.Remote) bool {
	return a.Port == b.Port && slices.ContainsFunc(a.Addrs, func(x netip.Addr) bool { return slices.Contains(b.Addrs, x) })
}
