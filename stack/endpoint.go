package stack

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/auth"
)

// Endpoint is an SCTP endpoint: one SCTP port on a set of local addresses,
// over UDP sockets (RFC 6951). Any number of associations share it; packets
// are demultiplexed to them by verification tag and peer address.
type Endpoint struct {
	cfg       Config
	log       logging.LeveledLogger
	conn      PacketConn
	out       output        // the associations' packets go through it to conn
	rxShare   rxShare       // the receive budget the associations' windows divide
	port      atomic.Uint32 // SCTP port; set before the readers start, or once the UDP port is known
	secret    [32]byte      // signs state cookies
	bufs      bufPool
	txPool    sync.Pool // of *builder
	stats     endpointCounters
	ootbLimit *rateLimiter
	hbLimit   *rateLimiter // HEARTBEATs to unconfirmed addresses, all associations together
	endedTags endedTags    // tags of associations that just closed gracefully
	keyMu     sync.Mutex
	keys      *auth.Keyring  // endpoint-pair shared keys (RFC 4895)
	prefixes  []netip.Prefix // interface addresses, for source selection
	routes    routeCache     // the OS's source address per destination
	stopWatch func()         // stops AutoASCONF
	addrFeeds feedSet        // AutoASCONF's address changes, for WatchAddresses
	// loopbackOnly: the application chose loopback addresses only, so
	// AutoASCONF keeps the endpoint on loopback.
	loopbackOnly bool

	mu     sync.Mutex
	byTag  map[uint32]*Association // by our verification tag
	byPeer map[peerKey]*Association
	accept chan *Association // nil until Listen
	closed bool
	loops  sync.WaitGroup
}

// peerKey identifies a peer transport address: IP and SCTP port.
type peerKey struct {
	addr netip.Addr
	port uint16
}

// NewEndpoint opens the UDP sockets of cfg and returns an endpoint that can
// dial; call Listen to accept associations too.
func NewEndpoint(cfg Config) (*Endpoint, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ep := &Endpoint{
		cfg:    cfg.withDefaults(),
		byTag:  make(map[uint32]*Association),
		byPeer: make(map[peerKey]*Association),
	}
	ep.log = ep.cfg.LoggerFactory.NewLogger("sctp")
	ep.ootbLimit = newRateLimiter(ootbRate, ootbBurst)
	hb := float64(ep.cfg.UnconfirmedHeartbeatRate)
	ep.hbLimit = newRateLimiter(hb, hb)
	ep.keys = auth.NewKeyring()
	if _, err := rand.Read(ep.secret[:]); err != nil {
		return nil, err
	}
	ep.prefixes = ep.interfaceAddrs()
	ep.loopbackOnly = allLoopback(ep.cfg.LocalAddrs)
	ep.cfg.LocalAddrs = expandWildcard(ep.cfg.LocalAddrs, ep.prefixes)
	if len(ep.cfg.LocalAddrs) == 0 {
		return nil, errors.New("sctp: no local address (the wildcard matched no interface)")
	}
	ep.port.Store(uint32(ep.cfg.Port)) // before the readers start
	conn, err := ep.openConn()
	if err != nil {
		return nil, err
	}
	ep.conn = conn
	ep.out.conn = conn
	ep.rxShare.budget = receiveBudget(conn, ep.cfg.SocketBuffer)
	ep.rxShare.drops = socketDrops(conn)
	if ep.cfg.Port == 0 {
		// An ephemeral SCTP port takes the number of the UDP port, which
		// the OS keeps unique on these addresses. A random one could
		// collide with another endpoint on this host, and the peer, which
		// tells associations apart by address and SCTP port, not by UDP
		// port (RFC 6951), would mix the two up. Nobody can send to it
		// before it is known, so the readers miss nothing meanwhile.
		ep.port.Store(uint32(conn.Port()))
	}
	if err := ep.startAutoASCONF(); err != nil {
		conn.Close()
		return nil, err
	}
	ep.routes.open(&ep.cfg)
	return ep, nil
}

func (ep *Endpoint) openConn() (PacketConn, error) {
	if ep.cfg.PacketConn != nil {
		return ep.cfg.PacketConn(ep.receive)
	}
	t, err := encap.Open(encap.Config{
		Net:         ep.cfg.Net,
		Addrs:       ep.cfg.LocalAddrs,
		Port:        int(ep.cfg.UDPPort),
		ReadBuffer:  ep.cfg.SocketBuffer,
		WriteBuffer: ep.cfg.SocketBuffer,
		Tap:         ep.cfg.Tap,
		NoOffload:   ep.cfg.NoOffload,
		Logger:      ep.cfg.LoggerFactory.NewLogger("encap"),

		PacketTooBig: ep.packetTooBig, // hints for the MTU search (pmtud_hint.go)
	}, ep.receive)
	if err != nil {
		return nil, fmt.Errorf("sctp: opening UDP sockets: %w", err)
	}
	return t, nil
}

// Listen opens an endpoint that accepts associations. A zero
// cfg.UDPPort is DefaultUDPPort (9899) unless cfg.EphemeralUDPPort, so
// that peers find the server on the standard port.
func Listen(cfg Config) (*Endpoint, error) {
	if cfg.UDPPort == 0 && !cfg.EphemeralUDPPort && cfg.PacketConn == nil {
		cfg.UDPPort = DefaultUDPPort
	}
	ep, err := NewEndpoint(cfg)
	if err != nil {
		return nil, err
	}
	ep.Listen()
	return ep, nil
}

// Listen starts accepting associations; Accept returns them. The UDP
// port stays what NewEndpoint opened.
func (ep *Endpoint) Listen() {
	ep.mu.Lock()
	if ep.accept == nil {
		ep.accept = make(chan *Association, ep.cfg.AcceptBacklog)
	}
	ep.mu.Unlock()
}

// Accept waits for an association established by a peer.
func (ep *Endpoint) Accept(ctx context.Context) (*Association, error) {
	ep.mu.Lock()
	ch := ep.accept
	ep.mu.Unlock()
	if ch == nil {
		return nil, errors.New("sctp: Accept on an endpoint that is not listening")
	}
	select {
	case a, ok := <-ch:
		if !ok {
			return nil, ErrClosed
		}
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Port returns the local SCTP port.
func (ep *Endpoint) Port() uint16 { return uint16(ep.port.Load()) }

// UDPPort returns the local UDP encapsulation port.
func (ep *Endpoint) UDPPort() uint16 { return uint16(ep.conn.Port()) }

// LocalAddrs returns the addresses the endpoint uses.
func (ep *Endpoint) LocalAddrs() []netip.Addr { return ep.conn.LocalAddrs() }

// Close aborts every association, stops accepting and closes the sockets.
// Use Association.Shutdown first for a graceful end.
func (ep *Endpoint) Close() error {
	ep.mu.Lock()
	if ep.closed {
		ep.mu.Unlock()
		return nil
	}
	ep.closed = true
	all := make([]*Association, 0, len(ep.byTag))
	for _, a := range ep.byTag {
		all = append(all, a)
	}
	if ep.accept != nil {
		close(ep.accept)
	}
	ep.mu.Unlock()
	for _, a := range all {
		a.Abort(errEndpointClosed.Error())
	}
	if ep.stopWatch != nil {
		ep.stopWatch()
	}
	ep.loops.Wait()
	ep.routes.close()
	return ep.conn.Close()
}

// register adds a to the demultiplexing tables under its current tag and
// peer addresses, replacing what it had.
func (ep *Endpoint) register(a *Association, tag uint32, peerAddrs []netip.Addr) error {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.registerLocked(a, tag, peerAddrs)
}

// registerAlone registers a, a new association, unless another one has a
// peer address of a at its SCTP port, and returns that one then. The
// check and the registration share the lock, so that of two associations
// with one peer set up at the same time exactly one is registered: two
// Dials, or a Dial and the COOKIE ECHO of a handshake the peer started
// (the peer's INIT, answered without state, leaves nothing for the Dial
// to find).
func (ep *Endpoint) registerAlone(a *Association) (*Association, error) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	peers := a.peerAddrs()
	if other := ep.associationLocked(peers, a.peerPort); other != nil && other != a {
		return other, nil
	}
	return nil, ep.registerLocked(a, a.localTag, peers)
}

func (ep *Endpoint) registerLocked(a *Association, tag uint32, peerAddrs []netip.Addr) error {
	if ep.closed {
		return ErrClosed
	}
	if a.routeTag == 0 && ep.fullLocked() {
		return ErrTooManyAssociations
	}
	ep.unregisterLocked(a)
	ep.byTag[tag] = a
	a.routeTag = tag
	a.routePeers = a.routePeers[:0]
	for _, addr := range peerAddrs {
		// A transport address belongs to one association: another that
		// lists it (its peer's INIT or ASCONF did) does not take it over.
		k := peerKey{addr, a.peerPort}
		if other := ep.byPeer[k]; other != nil && other != a {
			continue
		}
		ep.byPeer[k] = a
		a.routePeers = append(a.routePeers, addr)
	}
	ep.out.assocs.Store(int32(len(ep.byTag)))
	return nil
}

// owner returns the association, other than a, that peer address addr
// with SCTP port port belongs to, or nil.
func (ep *Endpoint) owner(a *Association, addr netip.Addr, port uint16) *Association {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if o := ep.byPeer[peerKey{addr, port}]; o != a {
		return o
	}
	return nil
}

// Association returns the association ep has with one of r's addresses at
// r's SCTP port, in any state until it has ended, or nil. SCTP allows one
// association between two endpoints, so Dial to such a peer fails with an
// *AssociatedError that carries the same association: this is the way to
// find it beforehand, to reuse it.
func (ep *Endpoint) Association(r Remote) *Association {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.associationLocked(r.Addrs, r.Port)
}

// associationLocked returns the association that one of addrs with SCTP
// port port belongs to, or nil.
func (ep *Endpoint) associationLocked(addrs []netip.Addr, port uint16) *Association {
	for _, addr := range addrs {
		if a := ep.byPeer[peerKey{addr.Unmap(), port}]; a != nil {
			return a
		}
	}
	return nil
}

func (ep *Endpoint) unregisterLocked(a *Association) {
	if ep.byTag[a.routeTag] == a {
		delete(ep.byTag, a.routeTag)
	}
	for _, addr := range a.routePeers {
		k := peerKey{addr, a.peerPort}
		if ep.byPeer[k] == a {
			delete(ep.byPeer, k)
		}
	}
}

// remove drops a from the tables when its loop ends.
func (ep *Endpoint) remove(a *Association) {
	ep.mu.Lock()
	ep.unregisterLocked(a)
	ep.out.assocs.Store(int32(len(ep.byTag)))
	ep.mu.Unlock()
}

// start runs a's first round, which answers what was queued for it; a
// counts in ep.loops until it ends.
func (ep *Endpoint) start(a *Association) {
	ep.loops.Add(1)
	go a.rounds()
}

// received lists the associations a batch of packets was queued to, each
// once, in the order of their first packet.
type received struct {
	as [32]*Association // a read batch's worth (encap's default)
	n  int
}

// add records that a packet was queued to a. Past the array's size the
// round is left to a goroutine at once.
func (r *received) add(a *Association) {
	switch {
	case slices.Contains(r.as[:r.n], a):
	case r.n < len(r.as):
		r.as[r.n] = a
		r.n++
	default:
		a.signal()
	}
}

// deliver has each association run a round for its packets: on the
// reader's goroutine if none runs one (no hand-off to another goroutine
// for a request and none for its answer), else by the goroutine that does.
// The associations of the batch take their turns in order, one round
// each, and their packets leave together at the end.
func (r *received) deliver(o *output) {
	held := r.n > 1 && o.hold()
	for _, a := range r.as[:r.n] {
		a.poke()
	}
	if held {
		o.sendRest()
	}
}

// newTag returns a random verification tag not in use here.
func (ep *Endpoint) newTag() uint32 {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	for {
		if t := randUint32(); t != 0 && ep.byTag[t] == nil {
			return t
		}
	}
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return binary.BigEndian.Uint32(b[:])
}

// getBuilder lends a packet builder to a's flush.
func (ep *Endpoint) getBuilder(a *Association) *builder {
	b, _ := ep.txPool.Get().(*builder)
	if b == nil {
		b = &builder{}
	}
	b.out, b.owner = &ep.out, a
	b.port = [2]uint16{ep.Port(), a.peerPort}
	b.auth = a.auth
	b.sent, b.bytes, b.errs, b.calls = 0, 0, 0, 0
	b.refused = b.refused[:0]
	return b
}

func (ep *Endpoint) putBuilder(b *builder) {
	b.owner = nil // the pool must not keep an ended association alive
	ep.txPool.Put(b)
}

// endpointCounters are the endpoint-wide packet counters.
type endpointCounters struct {
	packetsIn, badChecksum, runts, wrongPort, ootb, ootbAborts, lateAfterClose atomic.Uint64
	initsAnswered, cookiesBad, cookiesStale, cookiesForeign                    atomic.Uint64
	assocsRefused, hbThrottled, peerAddrsIgnored                               atomic.Uint64
	ptbIgnored                                                                 atomic.Uint64
}
