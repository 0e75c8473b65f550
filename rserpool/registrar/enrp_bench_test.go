package registrar

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// BenchmarkENRPInitialSync measures the initial synchronisation of a
// registrar that joins a peer holding 100,000 elements, on loopback: the
// time until the newcomer holds them all, the ENRP bytes the peer sent,
// and the heap the newcomer's copy takes per element.
func BenchmarkENRPInitialSync(b *testing.B) {
	const elements = 100_000
	r1 := newLoopback(b, Config{ServerID: 1, ENRP: ENRPConfig{Port: freeUDPPort(b)}})
	fill(b, r1, elements)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		sentBefore := r1.ENRPStats().SentBytes
		b.StartTimer()
		start := time.Now()
		r2 := newLoopback(b, Config{ServerID: wire.ServerID(2 + i), EventQueue: 1, ENRP: ENRPConfig{Port: freeUDPPort(b),
			Peers: []stack.Remote{{Addrs: []netip.Addr{loopback}, Port: r1.ENRPPort()}}}})
		for r2.Stats().Elements < elements {
			if time.Since(start) > time.Minute {
				b.Fatalf("%d of %d elements after a minute", r2.Stats().Elements, elements)
			}
			time.Sleep(time.Millisecond)
		}
		took := time.Since(start)
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(took.Milliseconds()), "ms/sync")
		b.ReportMetric(float64(r1.ENRPStats().SentBytes-sentBefore)/elements, "bytes/element")
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/elements, "heap-B/element")
		r2.Close()
		b.StartTimer()
	}
}

// fill registers n elements at r as their home, directly in its
// handlespace, in pools of 100.
func fill(b *testing.B, r *Registrar, n int) {
	c := r.core
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for i := range n {
		t := wire.Transport{Type: wire.ParamSCTPTransport, Port: 7, Use: wire.DataPlusControl,
			Addrs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}}
		_, _, err := c.hs.Register(handlespace.Registration{Handle: []byte(fmt.Sprintf("pool-%04d", i/100)), ID: uint32(i + 1),
			Home: 1, Owner: 1, Lifetime: time.Hour, Transport: wire.AppendParam(nil, &t), Policy: roundRobin}, now)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// freeUDPPort returns a UDP port free on loopback just now.
func freeUDPPort(b testing.TB) uint16 { return testenv.FreeUDPPorts(b, 1)[0] }

// BenchmarkENRPHandleUpdates measures the rate of Handle Updates from a
// registrar to a peer on loopback: b.N new elements at the first, each
// sent as it enters, until the peer holds them all.
func BenchmarkENRPHandleUpdates(b *testing.B) {
	r1 := newLoopback(b, Config{ServerID: 1, ENRP: ENRPConfig{Port: freeUDPPort(b)}})
	r2 := newLoopback(b, Config{ServerID: 2, EventQueue: 1, ENRP: ENRPConfig{Port: freeUDPPort(b),
		Peers: []stack.Remote{{Addrs: []netip.Addr{loopback}, Port: r1.ENRPPort()}}}})
	for len(r1.Peers()) == 0 || r1.ENRPStats().SyncsDone == 0 || r2.ENRPStats().SyncsDone == 0 {
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	c := r1.core
	now := time.Now()
	for i := range b.N {
		t := wire.Transport{Type: wire.ParamSCTPTransport, Port: 7, Use: wire.DataPlusControl,
			Addrs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}}
		c.mu.Lock()
		e, _, err := c.hs.Register(handlespace.Registration{Handle: []byte(fmt.Sprintf("pool-%04d", i/100)), ID: uint32(i + 1),
			Home: 1, Owner: 1, Lifetime: time.Hour, Transport: wire.AppendParam(nil, &t), Policy: roundRobin}, now)
		if err == nil {
			c.ownerChanged(e, wire.AddPE, now)
		}
		c.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
	}
	for r2.Stats().Elements < b.N {
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkENRPMemoryPerElement measures the live heap each of two
// registrars spends on an element: its home, where the element registered
// through its own ASAP association (the registrar's records; the SCTP
// association itself is BenchmarkIdleAssociationMemory's), and the peer,
// which holds the copy Handle Updates gave it. 100,000 elements in pools of
// 100, each from its own association and address, as pool element
// processes do.
func BenchmarkENRPMemoryPerElement(b *testing.B) {
	const elements = 100_000
	for b.Loop() {
		home, peer := elementMemory(b, elements)
		b.ReportMetric(home, "home-B/element")
		b.ReportMetric(peer, "peer-B/element")
	}
}

// elementMemory registers n elements at one registrar of two and returns
// the live heap per element at the home and at the peer. The peer's share
// is what closing it, and dropping every reference to it, gives back,
// less what it took while empty.
func elementMemory(b *testing.B, n int) (home, peer float64) {
	r1 := newLoopback(b, Config{ServerID: 1, KeepAliveInterval: time.Hour, MaxElements: n, MaxPools: n,
		ENRP: ENRPConfig{Port: freeUDPPort(b)}})
	defer r1.Close()
	base := measure()
	r2, err := Listen(onLoopback(Config{ServerID: 2, EventQueue: 1, MaxElements: n, MaxPools: n, ENRP: ENRPConfig{Port: freeUDPPort(b),
		Peers: []stack.Remote{{Addrs: []netip.Addr{loopback}, Port: r1.ENRPPort()}}}}))
	if err != nil {
		b.Fatal(err)
	}
	waitFor(b, func() bool { return r1.ENRPStats().SyncsDone > 0 && r2.ENRPStats().SyncsDone > 0 }, "the registrars to sync")
	empty := measure()
	registerEach(b, r1.core, n)
	waitFor(b, func() bool { return r2.Stats().Elements == n }, "the peer to hold every element")
	full := measure()
	r2.Close()
	r2 = nil
	alone := measure()
	return float64(alone.live-base.live) / float64(n), float64(full.live-alone.live-(empty.live-base.live)) / float64(n)
}

// registerEach registers n elements at c, each through its own session
// from its own address, as ASAP Registrations.
func registerEach(b *testing.B, c *core, n int) {
	reg := wire.Registration{Element: element(0, roundRobin)}
	var msg []byte
	for i := range n {
		addr := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		s := newSession(&fakeConn{peers: []netip.Addr{addr}})
		reg.Handle = fmt.Appendf(reg.Handle[:0], "pool-%04d", i/100)
		reg.Element.ID, reg.Element.UserTransport.Addrs = wire.PEID(i+1), []netip.Addr{addr}
		msg = wire.AppendASAP(msg[:0], &reg)
		c.handle(s, wire.PPIDASAP, msg, s.conn.(*fakeConn).peers, time.Now())
		s.release()
	}
	if st := c.stats.snapshot(); st.Registrations != uint64(n) {
		b.Fatalf("%d registrations accepted, want %d (refused: %+v)", st.Registrations, n, st.Refused)
	}
}

// waitFor polls cond for at most a minute.
func waitFor(b *testing.B, cond func() bool, what string) {
	for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
		if time.Since(start) > time.Minute {
			b.Fatalf("waited a minute for %s", what)
		}
	}
}
