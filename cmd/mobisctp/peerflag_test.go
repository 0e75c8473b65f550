package main

import (
	"net/netip"
	"testing"
)

func TestPeerList(t *testing.T) {
	var l peerList
	if err := l.Set("192.0.2.1, 192.0.2.2:9911"); err != nil {
		t.Fatal(err)
	}
	if err := l.Set("[2001:db8::1]"); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		addr string
		port uint16
	}{{"192.0.2.1", 9901}, {"192.0.2.2", 9911}, {"2001:db8::1", 9901}}
	if len(l) != len(want) {
		t.Fatalf("parsed %v", l.String())
	}
	for i, w := range want {
		if l[i].Addrs[0] != netip.MustParseAddr(w.addr) || l[i].Port != w.port || int(l[i].UDPPort) != int(w.port) {
			t.Errorf("peer %d: %+v, want %s port %d (SCTP and UDP)", i, l[i], w.addr, w.port)
		}
	}
	if got := l.String(); got != "192.0.2.1:9901,192.0.2.2:9911,[2001:db8::1]:9901" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"0.0.0.0", "239.0.0.51", "192.0.2.1:0", "registrar-2"} {
		if err := new(peerList).Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}
