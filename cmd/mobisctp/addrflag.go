package main

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// addrList is a flag value naming local or peer addresses that share one
// SCTP port: "127.0.0.1,127.0.0.2:5001", "[::1]:5001", "192.0.2.1",
// "localhost:5001". A host name stands for every address it has. A port
// may follow any address, but all that are given must agree. A port alone,
// ":5001", keeps the default addresses (for a local list, every address
// of the host).
type addrList struct {
	addrs []netip.Addr
	port  uint16
	// hasPort is set when the value gave a port; port otherwise keeps
	// its default.
	hasPort bool
}

// Set parses s, replacing the default.
func (l *addrList) Set(s string) error {
	if rest, ok := strings.CutPrefix(s, ":"); ok && !strings.Contains(rest, ":") {
		p, err := strconv.ParseUint(rest, 10, 16)
		if err != nil {
			return fmt.Errorf("%q: the port must be a number from 0 to 65535", s)
		}
		l.addrs, l.port, l.hasPort = nil, uint16(p), true
		return nil
	}
	var addrs []netip.Addr
	port, hasPort := l.port, false
	for _, el := range strings.Split(s, ",") {
		found, p, err := parseHostMaybePort(strings.TrimSpace(el))
		if err != nil {
			return err
		}
		if p >= 0 {
			if hasPort && uint16(p) != port {
				return fmt.Errorf("two different ports, %d and %d: the addresses share one SCTP port", port, p)
			}
			port, hasPort = uint16(p), true
		}
		for _, addr := range found {
			if addr.IsUnspecified() {
				return fmt.Errorf("%v: list the addresses to use instead of the wildcard", addr)
			}
			if !slices.Contains(addrs, addr) {
				addrs = append(addrs, addr)
			}
		}
	}
	l.addrs, l.port, l.hasPort = addrs, port, hasPort
	return nil
}

// resolveTimeout bounds the name lookups of a flag value.
const resolveTimeout = 5 * time.Second

// parseHostMaybePort parses "HOST", "[ADDR]", "HOST:PORT" or
// "[ADDR]:PORT", HOST an address or a name, which is resolved to every
// address it has; port is -1 when absent.
func parseHostMaybePort(s string) (addrs []netip.Addr, port int, err error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return []netip.Addr{ap.Addr().Unmap()}, int(ap.Port()), nil
	}
	if addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return []netip.Addr{addr.Unmap()}, -1, nil
	}
	host, port := s, -1
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p, err := strconv.ParseUint(s[i+1:], 10, 16)
		if err != nil {
			return nil, -1, fmt.Errorf("%q: the port must be a number from 0 to 65535", s)
		}
		host, port = s[:i], int(p)
	}
	if host == "" || strings.ContainsAny(host, ":[]") {
		return nil, -1, fmt.Errorf("%q is not an address or host name, with or without a port", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err = stack.ResolveHost(ctx, host)
	if err != nil {
		return nil, -1, err
	}
	return addrs, port, nil
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
