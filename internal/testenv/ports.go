package testenv

import (
	"net"
	"net/netip"
	"testing"
)

// FreeUDPPorts returns n distinct UDP ports free on 127.0.0.1 just now,
// for a test that must name ports before it binds them (peers configured
// with each other's ports). The sockets that found them stay open until
// all are found, so that the kernel cannot hand out one port twice: ports
// found one after another, each closed first, were the same once in about
// 2,000 runs of a registrar test.
func FreeUDPPorts(tb testing.TB, n int) []uint16 {
	tb.Helper()
	ports := make([]uint16, n)
	for i := range ports {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0)))
		if err != nil {
			tb.Fatal(err)
		}
		defer c.Close()
		ports[i] = uint16(c.LocalAddr().(*net.UDPAddr).Port)
	}
	return ports
}
