package simnet

import (
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Network is a simulated IP network carrying UDP datagrams between Hosts.
// Its methods are safe for concurrent use.
//
// Errors mirror those of package encap, so that code under test handles
// both alike: they wrap net.ErrClosed, encap.ErrNoSocket, fs.ErrExist, and
// syscall.EADDRINUSE or syscall.EADDRNOTAVAIL where a real bind or send
// would fail with those.
type Network struct {
	seed       int64
	epoch      time.Time      // origin of virtual time; offsets from it are exact in a bubble
	timer      *time.Timer    // fires when the earliest flight is due
	quit       chan struct{}  // closed by Close to stop the scheduler
	goroutines sync.WaitGroup // the scheduler and every Conn's reader

	filters atomic.Pointer[[]*filter] // copied on write, so sends read it without mu
	tap     tap
	landed  []*packet // the scheduler goroutine's scratch space

	mu      sync.Mutex
	closed  bool
	def     LinkProps
	links   map[Link]*link
	flows   map[flow]*rand.Rand
	owners  map[netip.Addr]*Host
	hosts   []*Host
	flights schedule
	seq     uint64    // sequence number of the last flight
	free    []*packet // recycled packets
}

// New returns an empty network whose randomness derives from seed: the same
// seed and the same sends give every datagram the same fate.
//
// It starts the scheduler goroutine, which runs until Close.
func New(seed int64) *Network {
	n := &Network{
		seed:   seed,
		epoch:  time.Now(),
		timer:  time.NewTimer(0),
		quit:   make(chan struct{}),
		links:  make(map[Link]*link),
		flows:  make(map[flow]*rand.Rand),
		owners: make(map[netip.Addr]*Host),
	}
	n.timer.Stop() // armed when the first datagram is in flight
	n.goroutines.Go(n.run)
	return n
}

// now returns the current time as an offset from the network's epoch.
func (n *Network) now() time.Duration { return time.Since(n.epoch) }

// AddHost adds a host owning addrs. It panics if another host owns one of
// them: that is a mistake in the test's topology.
func (n *Network) AddHost(name string, addrs ...netip.Addr) *Host {
	h := &Host{net: n, name: name, ports: make(map[int]*Conn), nextPort: firstEphemeral}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, a := range addrs {
		h.addAddrLocked(a)
	}
	n.hosts = append(n.hosts, h)
	return h
}

// Close closes every Conn, drops the datagrams in flight, and waits for the
// network's goroutines to exit, including handler calls in progress. It must
// not be called from a handler, filter or OnPacket callback.
func (n *Network) Close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.quit)
		n.timer.Stop()
		for _, h := range n.hosts {
			for _, c := range h.ports {
				c.closeLocked()
			}
		}
		for n.flights.len() > 0 {
			n.freeLocked(n.flights.pop().p)
		}
	}
	n.mu.Unlock()
	n.goroutines.Wait()
}

// socketLocked returns the open Conn listening on dst, or nil.
func (n *Network) socketLocked(dst netip.AddrPort) *Conn {
	h := n.owners[dst.Addr()]
	if h == nil {
		return nil
	}
	c := h.ports[int(dst.Port())]
	if c == nil || !c.boundLocked(dst.Addr()) {
		return nil
	}
	return c
}
