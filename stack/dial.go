package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Remote names a peer endpoint to dial.
type Remote struct {
	Addrs   []netip.Addr // the peer's addresses; the first is tried first
	Port    uint16       // its SCTP port
	UDPPort uint16       // its UDP encapsulation port; 0 means 9899
	// Retrying, if set, is called when an INIT goes unanswered and is
	// sent again, with the address it goes to next and how many went
	// out: for progress reports. It runs on the association's loop and
	// must not block.
	Retrying func(to netip.AddrPort, sent int)
}

// Dial sets up an association with r and waits until it is established,
// ctx is done or the handshake times out. A failed Dial returns a
// *DialError naming the peer, the state and what was missing ("no INIT
// ACK after 3 INITs"); it matches ctx's error or ErrHandshakeTimeout with
// errors.Is.
//
// SCTP allows one association between two endpoints. If ep already has
// one with any of r's addresses at r's SCTP port (from the first INIT
// until it has ended, whoever set it up), Dial sends nothing and fails at
// once with an *AssociatedError, which matches ErrAssociated and carries
// that association, to use instead. Of two Dials to one peer at the same
// time, one goes ahead and the other fails so. (A second association
// would reach the peer as a restart of the one it has, RFC 9260 section
// 5.2.2, which would go on with the new tags at the peer and with no one
// here.) A peer dialed at an address it has not announced is recognised
// by its INIT ACK, which comes from or lists the addresses it has: the
// handshake ends there, before the COOKIE ECHO that would restart the
// association, with the same error.
func (ep *Endpoint) Dial(ctx context.Context, r Remote) (*Association, error) {
	if len(r.Addrs) == 0 || r.Port == 0 {
		return nil, errors.New("sctp: Dial needs a peer address and SCTP port")
	}
	udp := r.UDPPort
	if udp == 0 {
		udp = DefaultUDPPort
	}
	remotes := make([]netip.AddrPort, len(r.Addrs))
	for i, addr := range r.Addrs {
		remotes[i] = netip.AddrPortFrom(addr.Unmap(), udp)
	}
	a := newAssociation(ep)
	a.peerPort = r.Port
	a.localTag = ep.newTag()
	a.dial.retrying = r.Retrying
	start := time.Now()
	a.startDial(start, remotes)
	a.publish() // its state, for an *AssociatedError of a Dial that races with this one
	if err := ep.registerDial(a, remotes); err != nil {
		return nil, err
	}
	ep.start(a)
	select {
	case <-a.up:
		if ae := (*AssociatedError)(nil); errors.As(a.Err(), &ae) {
			return nil, ae // the INIT ACK revealed the peer (refuseAssociated)
		}
		if err := a.Err(); err != nil {
			return nil, a.dialError(remotes, start, err)
		}
		return a, nil
	case <-ctx.Done():
		return nil, a.dialError(remotes, start, a.cancelDial(ctx.Err()))
	}
}

// registerDial registers a, a new association with the peer at remotes,
// unless ep has one with any of these addresses already (see Dial and
// registerAlone).
func (ep *Endpoint) registerDial(a *Association, remotes []netip.AddrPort) error {
	other, err := ep.registerAlone(a)
	if other != nil {
		return newAssociatedError(remotes, a.peerPort, other)
	}
	return err
}

// refuseAssociated ends a handshake in COOKIE-WAIT, with nothing sent,
// if the peer's INIT ACK came from or lists an address of another
// association's peer: Dial reached a peer it has an association with at
// an address that peer had not announced, and the COOKIE ECHO would
// restart that association there (RFC 9260 section 5.2.2). The INIT ACK
// left no state at the peer.
func (a *Association) refuseAssociated(src netip.Addr, listed []netip.Addr) bool {
	var other *Association
	for _, addr := range append([]netip.Addr{src.Unmap()}, listed...) {
		if other = a.ep.owner(a, addr, a.peerPort); other != nil {
			break
		}
	}
	if other == nil {
		return false
	}
	dialed := make([]netip.AddrPort, 0, len(a.paths))
	for _, p := range a.paths {
		dialed = append(dialed, p.remote)
	}
	a.terminate(newAssociatedError(dialed, a.peerPort, other))
	return true
}

// cancelDial aborts a handshake that ctx ended and says how far it got.
func (a *Association) cancelDial(cause error) error {
	var err *Error
	a.exec(func(time.Time) { err = a.failure(cause) })
	a.Abort("dial canceled")
	if err == nil { // the loop ended meanwhile: report why
		if aerr := a.Err(); aerr != nil {
			return aerr
		}
		return cause
	}
	return err
}

// DialAddr dials address, "host:port" with the peer's SCTP port, on the
// standard UDP port 9899. The host may be a name, resolved to every
// address it has, or several hosts separated by commas ("192.0.2.1,
// 198.51.100.1:5001"): a multi-homed peer's addresses.
func (ep *Endpoint) DialAddr(ctx context.Context, address string) (*Association, error) {
	r, err := ResolveRemote(ctx, address)
	if err != nil {
		return nil, err
	}
	return ep.Dial(ctx, r)
}

// ResolveRemote turns "host:port" (see DialAddr) into a Remote with every
// address of the hosts and a zero UDPPort (9899).
func ResolveRemote(ctx context.Context, address string) (Remote, error) {
	addrs, port, err := resolveHostPort(ctx, address)
	if err != nil {
		return Remote{}, err
	}
	if len(addrs) == 0 || port == 0 {
		return Remote{}, fmt.Errorf("sctp: %q: a peer needs a host and a nonzero port", address)
	}
	return Remote{Addrs: addrs, Port: port}, nil
}

// ListenAddr listens on address, "host:port" as in DialAddr: every
// address of the hosts and the SCTP port; an empty host means every
// address of the host's interfaces. cfg gives the rest; its LocalAddrs and
// Port are replaced.
func ListenAddr(address string, cfg Config) (*Endpoint, error) {
	addrs, port, err := resolveHostPort(context.Background(), address)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		addrs = []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
	}
	cfg.LocalAddrs, cfg.Port = addrs, port
	return Listen(cfg)
}

// resolveHostPort splits "host[,host...]:port" and resolves each host to
// all its addresses, in order, without duplicates.
func resolveHostPort(ctx context.Context, address string) ([]netip.Addr, uint16, error) {
	i := strings.LastIndexByte(address, ':')
	if i < 0 {
		return nil, 0, fmt.Errorf("sctp: %q: missing port (host:port)", address)
	}
	hosts, portStr := address[:i], address[i+1:]
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("sctp: %q: port %q is not a number from 0 to 65535", address, portStr)
	}
	var addrs []netip.Addr
	for host := range strings.SplitSeq(hosts, ",") {
		if host == "" {
			continue
		}
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			return nil, 0, fmt.Errorf("sctp: %q: an IPv6 address needs brackets ([%s]:port)", address, host)
		}
		found, err := ResolveHost(ctx, host)
		if err != nil {
			return nil, 0, err
		}
		for _, a := range found {
			if !slices.Contains(addrs, a) {
				addrs = append(addrs, a)
			}
		}
	}
	return addrs, uint16(port), nil
}

// ResolveHost returns every IP address of host, a name or a literal
// address (IPv4-mapped IPv6 addresses unmapped), in the resolver's order.
func ResolveHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	found, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("sctp: resolving %q: %w", host, err)
	}
	for i := range found {
		found[i] = found[i].Unmap()
	}
	return found, nil
}
