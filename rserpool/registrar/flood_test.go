package registrar

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestMemoryAfterFlood registers 262,144 elements (in as many pools as
// the default limit allows) through one association whose limits are
// lifted, ends the association, and checks that the registrar gives the
// memory back: what stays live afterwards is at most a megabyte.
// BenchmarkFlood does the same with a million and reports the figures.
func TestMemoryAfterFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("registers a quarter of a million elements")
	}
	const slack = 1 << 20
	before, peak, after := flood(t, 1<<18)
	t.Logf("live heap %d MB before, %d MB at the peak, %d KB after", before.live>>20, peak.live>>20, after.live>>10)
	if grown := after.live - before.live; grown > slack {
		t.Errorf("the registrar keeps %d bytes after the flood went away, want at most %d", grown, slack)
	}
}

// BenchmarkFlood registers a million elements as TestMemoryAfterFlood
// does and reports the live heap and the memory held from the operating
// system (what the RSS comes down to) at the peak and after the removal,
// above what they were before, and the process's RSS itself then (the
// whole test process: the registrar core is most of it).
func BenchmarkFlood(b *testing.B) {
	for b.Loop() {
		before, peak, after := flood(b, 1<<20)
		b.ReportMetric(float64(peak.live-before.live)/(1<<20), "MB-live-peak")
		b.ReportMetric(float64(after.live-before.live)/(1<<20), "MB-live-after")
		b.ReportMetric(float64(peak.held-before.held)/(1<<20), "MB-held-peak")
		b.ReportMetric(float64(after.held-before.held)/(1<<20), "MB-held-after")
		if after.rss > 0 {
			b.ReportMetric(float64(before.rss)/(1<<20), "MB-rss-before")
			b.ReportMetric(float64(peak.rss)/(1<<20), "MB-rss-peak")
			b.ReportMetric(float64(after.rss)/(1<<20), "MB-rss-after")
		}
	}
}

// flood registers n elements through one association of a registrar core
// and ends the association, measuring memory before, at the peak and
// after.
func flood(tb testing.TB, n int) (before, peak, after memFigures) {
	cfg := Config{ServerID: 0xabc, MaxElements: n, MaxElementsPerAssoc: n, MaxElementsPerAddr: n}.withDefaults()
	c := newCore(cfg, cfg.LoggerFactory.NewLogger("registrar"))
	s := newSession(&fakeConn{peers: []netip.Addr{peAddr}})
	peer := peerAddrs(s.conn)
	now := time.Unix(1700000000, 0)
	before = measure()
	reg := wire.Registration{Element: element(0, roundRobin, peAddr)}
	var msg []byte
	for i := range n {
		reg.Handle = fmt.Appendf(reg.Handle[:0], "flood-%d", i%DefaultMaxPools)
		reg.Element.ID = wire.PEID(i + 1)
		msg = wire.AppendASAP(msg[:0], &reg)
		c.handle(s, wire.PPIDASAP, msg, peer, now)
		s.out.reset()
	}
	peak = measure()
	if st := c.stats.snapshot(); st.Registrations != uint64(n) {
		tb.Fatalf("%d registrations accepted, want %d (refused: %+v)", st.Registrations, n, st.Refused)
	}
	c.endSession(s, now)
	after = measure()
	if c.hs.Len() != 0 || c.members.Len() != 0 || len(c.perAddr) != 0 {
		tb.Fatalf("%d elements, %d members, %d addresses left", c.hs.Len(), c.members.Len(), len(c.perAddr))
	}
	return before, peak, after
}

type memFigures struct{ live, held, rss int64 }

// measure returns the live heap after a full collection, the memory the
// Go runtime holds from the operating system once it has returned what it
// can (what the RSS comes down to), and the RSS itself where the system
// says it (Linux; elsewhere 0).
func measure() memFigures {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memFigures{live: int64(m.HeapAlloc), held: int64(m.Sys - m.HeapReleased), rss: residentBytes()}
}

// residentBytes returns the process's resident set size from
// /proc/self/statm, or 0 where there is none.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
