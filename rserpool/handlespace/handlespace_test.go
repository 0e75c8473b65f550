package handlespace

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
	"weak"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

var t0 = time.Unix(1_700_000_000, 0)

// reg returns a registration of element id in pool handle, owned by
// registrar 1, with policy p.
func reg(handle string, id uint32, p wire.Policy) Registration {
	return Registration{Handle: []byte(handle), ID: id, Home: 1, Owner: 1,
		Lifetime: 30 * time.Second, Transport: []byte("udp:192.0.2.1:9"), Policy: p}
}

func mustRegister(t *testing.T, h *Handlespace, r Registration, now time.Time) *PoolElement {
	t.Helper()
	e, _, err := h.Register(r, now)
	if err != nil {
		t.Fatalf("register %q/%d: %v", r.Handle, r.ID, err)
	}
	return e
}

func ids(es []*PoolElement) []uint32 {
	var out []uint32
	for _, e := range es {
		out = append(out, e.ID())
	}
	return out
}

var roundRobin = wire.Policy{Type: wire.PolicyRoundRobin}

func TestEmptyPoolRemoved(t *testing.T) {
	h := New(Options{})
	mustRegister(t, h, reg("p", 1, roundRobin), t0)
	mustRegister(t, h, reg("p", 2, roundRobin), t0)
	if h.Deregister([]byte("p"), 3) != nil {
		t.Error("deregistering an unknown element returned one")
	}
	h.Deregister([]byte("p"), 1)
	if p := h.Pool([]byte("p")); p == nil || p.Len() != 1 {
		t.Fatalf("pool after one of two left: %v", p)
	}
	h.Deregister([]byte("p"), 2)
	if h.Pool([]byte("p")) != nil || h.Len() != 0 || len(slices.Collect(h.Pools())) != 0 {
		t.Fatal("pool still present after its last element left")
	}
	// The handle is free again, for any policy.
	mustRegister(t, h, reg("p", 1, wire.Policy{Type: wire.PolicyLeastUsed}), t0)
	if got := h.Pool([]byte("p")).Policy(); got != wire.PolicyLeastUsed {
		t.Errorf("recreated pool uses %v", got)
	}
}

func TestInconsistentPolicyRejected(t *testing.T) {
	h := New(Options{})
	e := mustRegister(t, h, reg("p", 1, roundRobin), t0)
	for _, id := range []uint32{1, 2} { // a newcomer, and the pool's only element
		_, _, err := h.Register(reg("p", id, wire.Policy{Type: wire.PolicyRandom}), t0.Add(time.Second))
		var ie *policy.InconsistentError
		if !errors.As(err, &ie) || ie.Pool != wire.PolicyRoundRobin || ie.Element != wire.PolicyRandom {
			t.Errorf("element %d: err = %v, want *policy.InconsistentError", id, err)
		}
	}
	if h.Len() != 1 || !e.Updated().Equal(t0) || e.Policy() != roundRobin {
		t.Error("a rejected registration changed the handlespace")
	}
	_, _, err := h.Register(reg("q", 1, wire.Policy{Type: 0xdead}), t0)
	if !errors.Is(err, policy.ErrUnknownPolicy) || h.Pool([]byte("q")) != nil {
		t.Errorf("unknown policy: err = %v, pool %v", err, h.Pool([]byte("q")))
	}
}

func TestReregistrationUpdates(t *testing.T) {
	h := New(Options{})
	lu := func(load uint32) wire.Policy { return wire.Policy{Type: wire.PolicyLeastUsed, Load: load} }
	r1 := reg("p", 1, lu(100))
	e1 := mustRegister(t, h, r1, t0)
	mustRegister(t, h, reg("p", 2, lu(200)), t0)
	if got := ids(h.Select([]byte("p"), 2, nil)); !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("before: %v", got)
	}
	r1.Policy, r1.Owner, r1.Transport, r1.Lifetime = lu(300), 2, []byte("udp:198.51.100.7:9"), time.Minute
	t1 := t0.Add(10 * time.Second)
	e, created, err := h.Register(r1, t1)
	if err != nil || created || e != e1 {
		t.Fatalf("re-registration: %v %v %v", e, created, err)
	}
	if got := ids(h.Select([]byte("p"), 2, nil)); !slices.Equal(got, []uint32{2, 1}) {
		t.Errorf("after raising 1's load: %v, want [2 1]", got)
	}
	if e.Policy() != lu(300) || e.Owner() != 2 || string(e.Transport()) != "udp:198.51.100.7:9" ||
		!e.Registered().Equal(t0) || !e.Updated().Equal(t1) || !e.Expires().Equal(t1.Add(time.Minute)) {
		t.Errorf("element not updated: %+v", e)
	}
	if at, _ := h.Deadline(e, Expiry); !at.Equal(t1.Add(time.Minute)) {
		t.Errorf("expiry %v, want %v", at, t1.Add(time.Minute))
	}
	if h.Owned(1) != 1 || h.Owned(2) != 1 || h.Checksum(2) != h.RecomputeChecksum(2) {
		t.Error("ownership did not move with the update")
	}
}

func TestTimers(t *testing.T) {
	h := New(Options{})
	a := mustRegister(t, h, reg("p", 1, roundRobin), t0) // expires t0+30s
	b := mustRegister(t, h, reg("p", 2, roundRobin), t0.Add(5*time.Second))
	h.SetTimer(a, KeepAlive, t0.Add(10*time.Second))
	h.SetTimer(b, KeepAliveTimeout, t0.Add(20*time.Second))
	h.SetTimer(a, KeepAlive, t0.Add(15*time.Second)) // re-arm moves it
	h.StopTimer(b, KeepAliveTimeout)
	h.StopTimer(b, KeepAliveTimeout) // stopping twice is harmless
	if next, ok := h.NextDeadline(); !ok || next.Element != a || next.Kind != KeepAlive || !next.At.Equal(t0.Add(15*time.Second)) {
		t.Fatalf("next deadline %+v", next)
	}
	if _, ok := h.PopDue(t0.Add(14 * time.Second)); ok {
		t.Fatal("a timer fired early")
	}
	var fired []string
	for {
		tm, ok := h.PopDue(t0.Add(35 * time.Second))
		if !ok {
			break
		}
		fired = append(fired, tm.Kind.String()+"/"+string(rune('0'+tm.Element.ID())))
	}
	if want := []string{"KeepAlive/1", "Expiry/1", "Expiry/2"}; !slices.Equal(fired, want) {
		t.Errorf("fired %v, want %v", fired, want)
	}
	// Elements stay registered until the registrar removes them; removal
	// disarms their timers, and a removed element cannot be re-armed.
	h.SetTimer(a, KeepAlive, t0.Add(40*time.Second))
	h.Remove(a)
	h.SetTimer(a, KeepAlive, t0.Add(50*time.Second))
	if _, ok := h.NextDeadline(); ok {
		t.Error("timer of a removed element still armed")
	}
}

func TestCursor(t *testing.T) {
	h := New(Options{})
	for _, p := range []struct {
		handle string
		ids    []uint32
	}{{"b", []uint32{5, 1, 9}}, {"a", []uint32{2}}, {"d", []uint32{3, 4}}} {
		for _, id := range p.ids {
			mustRegister(t, h, reg(p.handle, id, roundRobin), t0)
		}
	}
	collect := func(c Cursor) []string {
		var out []string
		for e := range h.Elements(c) {
			out = append(out, e.Handle()+string(rune('0'+e.ID())))
		}
		return out
	}
	cases := []struct {
		name string
		c    Cursor
		want []string
	}{
		{"start", Cursor{}, []string{"a2", "b1", "b5", "b9", "d3", "d4"}},
		{"mid pool", After([]byte("b"), 1), []string{"b5", "b9", "d3", "d4"}},
		{"gone element", After([]byte("b"), 4), []string{"b5", "b9", "d3", "d4"}},
		{"past a pool's end", After([]byte("b"), 9), []string{"d3", "d4"}},
		{"gone pool", After([]byte("c"), 0), []string{"d3", "d4"}},
		{"before all", After([]byte(""), 0), []string{"a2", "b1", "b5", "b9", "d3", "d4"}},
		{"end", After([]byte("d"), 4), nil},
	}
	for _, c := range cases {
		if got := collect(c.c); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	var handles []string
	for p := range h.Pools() {
		handles = append(handles, p.Handle())
		if got := ids(slices.Collect(p.All())); !slices.IsSorted(got) || len(got) != p.Len() {
			t.Errorf("pool %s elements %v", p.Handle(), got)
		}
	}
	if !slices.Equal(handles, []string{"a", "b", "d"}) {
		t.Errorf("pools %v", handles)
	}
}

func TestChecksumVectors(t *testing.T) {
	cases := []struct {
		handle string
		id     uint32
		want   uint16
	}{
		// 0x6162 + 0x0001 + 0x0002 = 0x6165, complemented.
		{"ab", 0x00010002, ^uint16(0x6165)},
		// An odd handle is padded: 0x6162 + 0x6300 + 0x1234 + 0x5678 =
		// 0x12D0E, folded 0x2D0F.
		{"abc", 0x12345678, ^uint16(0x2D0F)},
		// Carries fold back in: four 0xFFFF words sum to 0xFFFF.
		{"\xff\xff\xff\xff", 0xFFFFFFFF, 0},
		{"", 0, 0xFFFF},
	}
	for _, c := range cases {
		if got := finishChecksum(elementSum(c.handle, c.id)); got != c.want {
			t.Errorf("%q/%#x: %#04x, want %#04x", c.handle, c.id, got, c.want)
		}
	}
	h := New(Options{})
	if h.Checksum(7) != 0xFFFF {
		t.Errorf("checksum of an owner without elements: %#04x", h.Checksum(7))
	}
	mustRegister(t, h, reg("ab", 0x00010002, roundRobin), t0)
	mustRegister(t, h, reg("abc", 0x12345678, roundRobin), t0)
	// One's complement sums add: 0x6165 + 0x12D0E = 0x18E73, folded 0x8E74.
	want := ^uint16(0x8E74)
	if got := h.Checksum(1); got != want {
		t.Errorf("owner checksum %#04x, want %#04x", got, want)
	}
	var s Sum
	if s.Checksum() != 0xFFFF {
		t.Errorf("empty Sum: %#04x", s.Checksum())
	}
	s.Add("abc", 0x12345678)
	s.Add("ab", 0x00010002)
	if got := s.Checksum(); got != want {
		t.Errorf("Sum of the same elements %#04x, want %#04x", got, want)
	}
}

func TestSelectAllocations(t *testing.T) {
	// testing.AllocsPerRun rounds the average down, which would hide the
	// occasional allocation of a tree node; count every allocation instead.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	cases := []struct {
		typ wire.PolicyType
		max uint64 // allocations allowed in 10000 resolutions
	}{
		// Round robin drains the leftmost leaf and fills the rightmost, and
		// recycled nodes cover the splits; weighted draws only read.
		{wire.PolicyRoundRobin, 0},
		{wire.PolicyWeightedRandom, 0},
		// Degradation moves elements into the middle of the order, so a leaf
		// splits now and then before another merges: a node every few
		// hundred resolutions, never one per resolution.
		{wire.PolicyLeastUsedDegradation, 100},
	}
	for _, c := range cases {
		typ := c.typ
		h := New(Options{})
		for id := range uint32(1000) { // a two-level index
			mustRegister(t, h, reg("pool", id, wire.Policy{Type: typ, Weight: id % 7, LoadDegradation: 1000}), t0)
		}
		handle, dst := []byte("pool"), make([]*PoolElement, 0, 3)
		for range 1000 { // reach the steady state, with spare nodes
			dst = h.Select(handle, 3, dst[:0])
		}
		// MemStats counts the whole process, so a stray runtime allocation
		// can land in one window; one that Select makes shows in every
		// window, so the fewest of three windows is what Select costs.
		n := uint64(math.MaxUint64)
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 10000 {
				dst = h.Select(handle, 3, dst[:0])
			}
			runtime.ReadMemStats(&after)
			n = min(n, after.Mallocs-before.Mallocs)
		}
		if n > c.max || len(dst) != 3 {
			t.Errorf("%v: %d allocations in 10000 resolutions (at most %d), %d elements", typ, n, c.max, len(dst))
		}
	}
}

// TestRemovedElementsAreCollected checks that nothing (index nodes, the
// timer heap, scratch space) keeps removed elements alive.
func TestRemovedElementsAreCollected(t *testing.T) {
	h := New(Options{})
	var gone []weak.Pointer[PoolElement]
	for id := range uint32(300) {
		e := mustRegister(t, h, reg("pool", id, wire.Policy{Type: wire.PolicyWeightedRandom, Weight: 1}), t0)
		h.SetTimer(e, KeepAlive, t0.Add(time.Second))
		if id%3 != 0 {
			gone = append(gone, weak.Make(e))
		}
	}
	h.Select([]byte("pool"), 5, nil)
	for id := range uint32(300) {
		if id%3 != 0 {
			h.Deregister([]byte("pool"), id)
		}
	}
	runtime.GC()
	for _, w := range gone {
		if e := w.Value(); e != nil {
			t.Fatalf("removed element %d is still reachable", e.ID())
		}
	}
	if h.Len() != 100 {
		t.Fatalf("%d elements left, want 100", h.Len())
	}
}
