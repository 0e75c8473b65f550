package main

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/stack"
)

// peerList is the value of --peer: registrars' ENRP endpoints, each an
// address with an optional port ("192.0.2.1,192.0.2.2:9911,[2001:db8::1]").
// The port is the SCTP port and the UDP encapsulation port, and defaults
// to the standard ENRP port.
type peerList []stack.Remote

// Set parses s, adding to the list (the flag may be repeated).
func (l *peerList) Set(s string) error {
	for _, el := range strings.Split(s, ",") {
		addrs, port, err := parseHostMaybePort(strings.TrimSpace(el))
		if err != nil {
			return err
		}
		for _, addr := range addrs {
			if addr.IsUnspecified() || addr.IsMulticast() {
				return fmt.Errorf("%v: a peer is one registrar's unicast address", addr)
			}
		}
		switch {
		case port == 0:
			return fmt.Errorf("%q: port 0", el)
		case port < 0:
			port = int(registrar.DefaultENRPPort)
		}
		*l = append(*l, stack.Remote{Addrs: addrs, Port: uint16(port), UDPPort: uint16(port)})
	}
	return nil
}

// String formats the list the way Set reads it.
func (l *peerList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, r := range *l {
		parts[i] = netip.AddrPortFrom(r.Addrs[0], r.Port).String()
	}
	return strings.Join(parts, ",")
}
