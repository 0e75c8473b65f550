package simnet

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/mobisctp/mobisctp/encap"
)

// The IANA dynamic port range, from which Open picks ephemeral ports.
const (
	firstEphemeral = 49152
	lastEphemeral  = 65535
)

// Host is a simulated machine: a set of addresses that may change while the
// test runs, and the Conns open on it. A port is open at most once per host,
// as with an encap socket set that binds the same port on every address.
type Host struct {
	net  *Network
	name string

	// Guarded by net.mu.
	addrs    []netip.Addr  // the interface addresses, in the order they appeared
	ports    map[int]*Conn // the open Conns
	nextPort int           // where the search for an ephemeral port resumes
}

// AddAddr gives the host an address, as when an interface comes up. Open
// Conns do not bind it by themselves; see Conn.AddAddr. It panics if another
// host owns the address.
func (h *Host) AddAddr(a netip.Addr) {
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	h.addAddrLocked(a)
}

func (h *Host) addAddrLocked(a netip.Addr) {
	if !a.IsValid() {
		panic("simnet: invalid address for host " + h.name)
	}
	switch owner := h.net.owners[a]; owner {
	case h:
		return
	case nil:
		h.net.owners[a] = h
		h.addrs = append(h.addrs, a)
	default:
		panic(fmt.Sprintf("simnet: host %s: address %v belongs to host %s", h.name, a, owner.name))
	}
}

// RemoveAddr takes an address away from the host, as when an interface goes
// down: datagrams to it are dropped and sends from it fail. Conns stay bound
// to it and use it again if it comes back, like sockets bound to a vanished
// address.
func (h *Host) RemoveAddr(a netip.Addr) {
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	if h.net.owners[a] != h {
		return
	}
	delete(h.net.owners, a)
	h.addrs = slices.DeleteFunc(h.addrs, func(x netip.Addr) bool { return x == a })
}

// Addrs returns the host's current addresses.
func (h *Host) Addrs() []netip.Addr {
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	return slices.Clone(h.addrs)
}

// Open opens port on all of the host's current addresses, or an unused
// ephemeral port if port is 0, and starts a goroutine that passes arriving
// datagrams to handler until the Conn closes. As with encap, the handler
// must not call Close, which waits for it.
func (h *Host) Open(port int, handler encap.Handler) (*Conn, error) {
	if handler == nil {
		return nil, errors.New("simnet: nil handler")
	}
	if port < 0 || port > lastEphemeral {
		return nil, fmt.Errorf("simnet: port %d out of range", port)
	}
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	if h.net.closed {
		return nil, net.ErrClosed
	}
	if port == 0 {
		var err error
		if port, err = h.ephemeralLocked(); err != nil {
			return nil, err
		}
	} else if h.ports[port] != nil {
		return nil, fmt.Errorf("simnet: host %s port %d: %w", h.name, port, syscall.EADDRINUSE)
	}
	c := newConn(h, port, handler)
	h.ports[port] = c
	h.net.goroutines.Go(c.deliver)
	return c, nil
}

// ephemeralLocked picks the next unused port of the dynamic range, in a
// fixed order so that tests are reproducible.
func (h *Host) ephemeralLocked() (int, error) {
	for range lastEphemeral - firstEphemeral + 1 {
		port := h.nextPort
		h.nextPort++
		if h.nextPort > lastEphemeral {
			h.nextPort = firstEphemeral
		}
		if h.ports[port] == nil {
			return port, nil
		}
	}
	return 0, fmt.Errorf("simnet: host %s has no ephemeral port left: %w", h.name, syscall.EADDRINUSE)
}
