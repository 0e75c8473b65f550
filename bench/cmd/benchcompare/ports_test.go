package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// portTaken sees a UDP socket bound to the port, IPv4 or IPv6, and not
// after it is closed.
func TestPortTaken(t *testing.T) {
	for _, tc := range []struct{ network, ip string }{{"udp4", "127.0.0.1"}, {"udp6", "::1"}} {
		c, err := net.ListenUDP(tc.network, &net.UDPAddr{IP: net.ParseIP(tc.ip)})
		if tc.network == "udp6" && err != nil {
			continue // no IPv6 loopback here
		}
		require.NoError(t, err)
		port := c.LocalAddr().(*net.UDPAddr).Port
		require.True(t, portTaken(port), "%s port %d bound", tc.network, port)
		require.NoError(t, c.Close())
		require.False(t, portTaken(port), "%s port %d closed", tc.network, port)
	}
}
