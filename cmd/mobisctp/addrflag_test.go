package main

import (
	"net/netip"
	"slices"
	"testing"
)

func TestAddrList(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	for _, tc := range []struct {
		in      string
		addrs   []netip.Addr
		port    uint16
		hasPort bool
	}{
		{"127.0.0.1,127.0.0.2:5001", addrs("127.0.0.1", "127.0.0.2"), 5001, true},
		{"[::1]:5001", addrs("::1"), 5001, true},
		{"127.0.0.1:6000,127.0.0.2:6000", addrs("127.0.0.1", "127.0.0.2"), 6000, true},
		{"[::1],127.0.0.1:7", addrs("::1", "127.0.0.1"), 7, true},
		{"::1", addrs("::1"), 9, false},
		{"192.0.2.1", addrs("192.0.2.1"), 9, false},
		{"[::ffff:127.0.0.1]:80", addrs("127.0.0.1"), 80, true},
		{":5001", nil, 5001, true}, // the default addresses
	} {
		l := addrList{port: 9}
		if err := l.Set(tc.in); err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !slices.Equal(l.addrs, tc.addrs) || l.port != tc.port || l.hasPort != tc.hasPort {
			t.Errorf("%q: %v port %d (given %v), want %v port %d (given %v)",
				tc.in, l.addrs, l.port, l.hasPort, tc.addrs, tc.port, tc.hasPort)
		}
	}
	for _, bad := range []string{"", "no-such-host.invalid:5001", "127.0.0.1:1,127.0.0.2:2", "::", "127.0.0.1:x", "1.2.3.4,", "localhost:99999", ":", ":x", ":70000"} {
		l := addrList{}
		if err := l.Set(bad); err == nil {
			t.Errorf("%q accepted as %v port %d", bad, l.addrs, l.port)
		}
	}
}

// TestHostNames: a name stands for every address it has.
func TestHostNames(t *testing.T) {
	var l addrList
	if err := l.Set("localhost:5001"); err != nil || !slices.Contains(l.addrs, netip.MustParseAddr("127.0.0.1")) || l.port != 5001 {
		t.Errorf("localhost:5001: %v port %d, %v", l.addrs, l.port, err)
	}
	var r registrarList
	if err := r.Set("localhost,127.0.0.2:4000"); err != nil || len(r) != 2 || !slices.Contains(r[0].addrs, netip.MustParseAddr("127.0.0.1")) ||
		r[0].port != 3863 || r[1].port != 4000 {
		t.Errorf("registrars localhost,127.0.0.2:4000: %+v, %v", r, err)
	}
}

func TestAddrListString(t *testing.T) {
	l := addrList{addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, port: 5001}
	if got := l.String(); got != "127.0.0.1,[::1]:5001" {
		t.Errorf("String() = %q", got)
	}
	var back addrList
	if err := back.Set(l.String()); err != nil || !slices.Equal(back.addrs, l.addrs) || back.port != l.port {
		t.Errorf("String does not read back: %v, %+v", err, back)
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1000000": 1000000, "64K": 64 << 10, "10m": 10 << 20, "1G": 1 << 30, "0": 0} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, bad := range []string{"", "K", "-1", "1.5M", "10T", "99999999999G"} {
		var b byteSize
		if err := b.Set(bad); err == nil {
			t.Errorf("%q accepted as %d", bad, b)
		}
	}
}
