//go:build !linux

package main

import (
	"errors"
	"net"
	"syscall"
)

// portTaken reports whether some socket is bound to the UDP port.
func portTaken(port int) bool {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: port})
	if err == nil {
		c.Close()
	}
	return errors.Is(err, syscall.EADDRINUSE)
}
