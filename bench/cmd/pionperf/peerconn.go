package main

import (
	"errors"
	"net"
	"sync/atomic"
)

// peerConn makes a listening UDP socket the net.Conn that pion/sctp runs
// over: it belongs to the peer whose datagram arrived first, ignores every
// other sender and sends to that peer.
type peerConn struct {
	*net.UDPConn
	peer atomic.Pointer[net.UDPAddr]
}

var errNoPeer = errors.New("no datagram received yet, so no peer to send to")

// Read returns the next datagram from the peer.
func (c *peerConn) Read(b []byte) (int, error) {
	for {
		n, from, err := c.ReadFromUDP(b)
		if err != nil {
			return n, err
		}
		c.peer.CompareAndSwap(nil, from)
		if p := c.peer.Load(); p.IP.Equal(from.IP) && p.Port == from.Port {
			return n, nil
		}
	}
}

// Write sends b to the peer.
func (c *peerConn) Write(b []byte) (int, error) {
	p := c.peer.Load()
	if p == nil {
		return 0, errNoPeer
	}
	return c.WriteToUDP(b, p)
}

// RemoteAddr returns the peer's address, or nil before it is known.
func (c *peerConn) RemoteAddr() net.Addr {
	if p := c.peer.Load(); p != nil {
		return p
	}
	return nil
}
