package main

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestRegistrarPartitionNamespaces runs two registrar processes in two
// namespaces joined by a veth pair, peering over ENRP, with pool elements
// (the pe command) registered at each. nftables then drops the ENRP
// traffic between the registrars (their ENRP port, 9901) for longer than
// the peer timeouts, until each has taken over the other's elements,
// which still reach both over ASAP. When the rule goes, the tables
// converge: hsdump shows the same elements, homes and PE checksums at
// both. The time that took is logged.
func TestRegistrarPartitionNamespaces(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	testenv.Tool(t, "nft")
	if testing.Short() {
		t.Skip("builds the binary and waits for the peer timeouts")
	}
	bin := buildBinary(t)
	ns := []*netns.NS{netns.New(t, "rega"), netns.New(t, "regb")}
	addrs := []netip.Addr{netip.MustParseAddr("10.97.0.1"), netip.MustParseAddr("10.97.0.2")}
	netns.Veth(t, ns[0], "eth1", netip.PrefixFrom(addrs[0], 24), ns[1], "eth1", netip.PrefixFrom(addrs[1], 24))
	for i := range 2 {
		args := []string{"netns", "exec", ns[i].Name, bin, "registrar", "--listen", addrs[i].String(), "--id", fmt.Sprint(i + 1),
			"--enrp-port", "9901", "--json"}
		if i == 1 {
			args = append(args, "--peer", addrs[0].String()+":9901")
		}
		_, first := startProcess(t, "ip", args...)
		<-first // listening
	}
	const perRegistrar = 4
	for i := range 2 * perRegistrar {
		side := i / perRegistrar
		pe := startIn(t, ns[side], "pe", "--json", "--pool", fmt.Sprintf("pool-%d", i%2), "--service", "echo",
			"--registrar", addrs[side].String()+","+addrs[1-side].String())
		pe.log.wait(t, "registered", nil)
	}
	dump := func(side int) hsdumpView {
		return parseHsdump(runIn(t, ns[side], "hsdump", "--json", "--timeout", "2s", "--registrar", addrs[side].String()))
	}
	waitUntil := func(what string, ok func(a, b hsdumpView) bool) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			a, b := dump(0), dump(1)
			if ok(a, b) {
				return time.Since(start)
			}
			if time.Since(start) > 2*time.Minute {
				t.Fatalf("%s: not within 2 minutes\nregistrar 1: %+v\nregistrar 2: %+v", what, a, b)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	converged := func(a, b hsdumpView) bool {
		return len(a.homes) == 2*perRegistrar && a.entries == len(a.homes) && reflect.DeepEqual(a, b)
	}
	waitUntil("both registrars hold every element", converged)

	for _, n := range ns {
		n.Filter("prerouting", "udp dport 9901 drop") // ENRP, both ways
	}
	cut := waitUntil("each side took the other's elements over", func(a, b hsdumpView) bool {
		return !a.hasHome(2) && !b.hasHome(1) && len(a.homes) > 0 && len(b.homes) > 0
	})
	t.Logf("partition: each registrar was home for everything it holds %v after the cut", cut)
	for _, n := range ns {
		n.ClearFilters()
	}
	took := waitUntil("the tables converge after the heal", converged)
	a := dump(0)
	t.Logf("tables converged %v after the partition healed: %d elements, checksums %v", took, len(a.homes), a.sums)
}
