package simnet

import (
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/mobisctp/mobisctp/encap"
)

// Conn is a UDP port open on a host: the simulated counterpart of an
// encap.Transport, bound on some of the host's addresses. A goroutine per
// Conn passes arriving datagrams to its handler, like a socket reader.
type Conn struct {
	host    *Host
	port    int
	handler encap.Handler
	ready   chan struct{} // holds a token when datagrams may be waiting in the inbox
	done    chan struct{} // closed when the Conn closes
	exited  chan struct{} // closed when the reader goroutine returns

	// Guarded by host.net.mu.
	addrs  []netip.Addr  // bound addresses, in the order they were bound
	inbox  fifo[*packet] // arrived, not yet passed to the handler
	closed bool
}

func newConn(h *Host, port int, handler encap.Handler) *Conn {
	return &Conn{
		host:    h,
		port:    port,
		handler: handler,
		ready:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		exited:  make(chan struct{}),
		addrs:   slices.Clone(h.addrs),
	}
}

// Port returns the UDP port.
func (c *Conn) Port() int { return c.port }

// LocalAddrs returns the bound addresses in the order they were bound,
// including any the host has lost since; none once closed.
func (c *Conn) LocalAddrs() []netip.Addr {
	c.host.net.mu.Lock()
	defer c.host.net.mu.Unlock()
	return slices.Clone(c.addrs)
}

// AddAddr binds the Conn's port on one more of the host's addresses: an
// address appeared.
func (c *Conn) AddAddr(a netip.Addr) error {
	n := c.host.net
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case c.closed:
		return net.ErrClosed
	case n.owners[a] != c.host:
		return fmt.Errorf("simnet: bind %v on host %s: %w", a, c.host.name, syscall.EADDRNOTAVAIL)
	case c.boundLocked(a):
		return fmt.Errorf("simnet: %v already bound: %w", a, fs.ErrExist)
	}
	c.addrs = append(c.addrs, a)
	return nil
}

// RemoveAddr unbinds the Conn's port from an address: an address went away.
// Datagrams to it are dropped, and sends from it leave from another address
// of its family, as with encap.
func (c *Conn) RemoveAddr(a netip.Addr) error {
	c.host.net.mu.Lock()
	defer c.host.net.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	i := slices.Index(c.addrs, a)
	if i < 0 {
		return fmt.Errorf("simnet: remove %v: %w", a, encap.ErrNoSocket)
	}
	c.addrs = slices.Delete(c.addrs, i, i+1)
	return nil
}

// Close closes the port, drops the datagrams waiting for the handler and
// waits for the reader goroutine to exit, so the handler is not called
// after Close returns. Later calls do nothing. It must not be called from
// the handler.
func (c *Conn) Close() error {
	c.host.net.mu.Lock()
	if !c.closed {
		c.closeLocked()
	}
	c.host.net.mu.Unlock()
	<-c.exited
	return nil
}

func (c *Conn) closeLocked() {
	c.closed = true
	c.addrs = nil
	delete(c.host.ports, c.port)
	for c.inbox.len() > 0 {
		c.host.net.freeLocked(c.inbox.pop())
	}
	close(c.done)
}

func (c *Conn) boundLocked(a netip.Addr) bool { return slices.Contains(c.addrs, a) }
