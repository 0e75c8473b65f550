package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// addrList is a flag value naming local or peer addresses that share one
// SCTP port: "127.0.0.1,127.0.0.2:5001", "[::1]:5001", "192.0.2.1". A
// port may follow any address, but all that are given must agree.
type addrList struct {
	addrs []netip.Addr
	port  uint16
	// hasPort is set when the value gave a port; port otherwise keeps
	// its default.
	hasPort bool
}

// Set parses s, replacing the default.
func (l *addrList) Set(s string) error {
	var addrs []netip.Addr
	port, hasPort := l.port, false
	for _, el := range strings.Split(s, ",") {
		addr, p, err := parseAddrMaybePort(strings.TrimSpace(el))
		if err != nil {
			return err
		}
		if p >= 0 {
			if hasPort && uint16(p) != port {
				return fmt.Errorf("two different ports, %d and %d: the addresses share one SCTP port", port, p)
			}
			port, hasPort = uint16(p), true
		}
		if addr.IsUnspecified() {
			return fmt.Errorf("%v: list the addresses to use instead of the wildcard", addr)
		}
		addrs = append(addrs, addr)
	}
	l.addrs, l.port, l.hasPort = addrs, port, hasPort
	return nil
}

// parseAddrMaybePort parses "ADDR", "[ADDR]", "ADDR:PORT" or "[ADDR]:PORT";
// port is -1 when absent.
func parseAddrMaybePort(s string) (addr netip.Addr, port int, err error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), int(ap.Port()), nil
	}
	addr, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return addr, -1, fmt.Errorf("%q is not an address, nor an address with a port", s)
	}
	return addr.Unmap(), -1, nil
}

// String formats the list the way Set reads it.
func (l *addrList) String() string {
	if l == nil || len(l.addrs) == 0 {
		return ""
	}
	parts := make([]string, len(l.addrs))
	for i, a := range l.addrs {
		parts[i] = a.String()
	}
	last := netip.AddrPortFrom(l.addrs[len(l.addrs)-1], l.port).String()
	parts[len(parts)-1] = last
	return strings.Join(parts, ",")
}

// parseAnnounceAddr parses the value of an --announce flag: an address,
// usually a multicast group, and a port that is not 0.
func parseAnnounceAddr(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("--announce %q: want an address and a port, as in %v", s, wire.ASAPAnnounceAddr)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// byteSize is a flag value counting bytes, with an optional binary suffix
// K, M or G: "1000000", "64K", "10M".
type byteSize int64

var sizeSuffixes = map[string]int64{"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

// Set parses s.
func (b *byteSize) Set(s string) error {
	num, mult := s, int64(1)
	if n := len(s); n > 0 {
		if m, ok := sizeSuffixes[strings.ToUpper(s[n-1:])]; ok {
			num, mult = s[:n-1], m
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return fmt.Errorf("%q is not a byte count (like 1000000, 64K, 10M or 1G)", s)
	}
	*b = byteSize(v * mult)
	return nil
}

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
