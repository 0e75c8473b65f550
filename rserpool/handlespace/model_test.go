package handlespace

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/policy/policytest"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// The model is the reference the handlespace is checked against: maps,
// slices and sorting, with policytest's slice-backed pools for the
// selection state. It draws from a random source with the same seed as the
// handlespace's, so the weighted policies must draw the same elements.

type model struct {
	now   time.Time
	rng   *rand.Rand
	pools map[string]*modelPool
}

type modelPool struct {
	typ   wire.PolicyType
	ref   *policytest.Pool
	elems map[uint32]*modelElem
}

type modelElem struct {
	reg        Registration // Transport is the model's own copy
	registered time.Time
	updated    time.Time
	timers     map[TimerKind]time.Time
}

// place names an element, or one of its timers, independently of either
// implementation.
type place struct {
	handle string
	id     uint32
	kind   TimerKind
}

func comparePlaces(a, b place) int {
	return cmp.Or(cmp.Compare(a.handle, b.handle), cmp.Compare(a.id, b.id), cmp.Compare(a.kind, b.kind))
}

// places returns every element of the model in handle, identifier order.
func (m *model) places() []place {
	var out []place
	for h, mp := range m.pools {
		for id := range mp.elems {
			out = append(out, place{handle: h, id: id})
		}
	}
	slices.SortFunc(out, comparePlaces)
	return out
}

func (m *model) elem(p place) *modelElem {
	if mp := m.pools[p.handle]; mp != nil {
		return mp.elems[p.id]
	}
	return nil
}

func (m *model) remove(p place) {
	mp := m.pools[p.handle]
	if mp == nil || mp.elems[p.id] == nil {
		return
	}
	delete(mp.elems, p.id)
	mp.ref.Remove(p.id)
	if len(mp.elems) == 0 {
		delete(m.pools, p.handle)
	}
}

// naiveChecksum builds the byte string of RFC 5353's PE checksum for owner
// and sums it the textbook way, folding the carry after every word.
func (m *model) naiveChecksum(owner uint32) uint16 {
	var sum uint32
	for h, mp := range m.pools {
		for id, me := range mp.elems {
			if me.reg.Owner != owner {
				continue
			}
			b := []byte(h)
			if len(b)%2 == 1 {
				b = append(b, 0)
			}
			b = binary.BigEndian.AppendUint32(b, id)
			for i := 0; i < len(b); i += 2 {
				sum += uint32(binary.BigEndian.Uint16(b[i:]))
				sum = sum&0xFFFF + sum>>16
			}
		}
	}
	return ^uint16(sum)
}

// chooser supplies the test's decisions: from a seeded generator, or from
// a fuzzer's bytes.
type chooser interface {
	intn(n int) int // in [0, n)
}

type randChooser struct{ *rand.Rand }

func (c randChooser) intn(n int) int { return c.IntN(n) }

// byteChooser reads decisions from b; when b runs out every answer is 0
// and done is set.
type byteChooser struct {
	b    []byte
	done bool
}

func (c *byteChooser) intn(n int) int {
	var v int
	for range min(4, (bits(n)+7)/8) {
		if len(c.b) == 0 {
			c.done = true
			return 0
		}
		v = v<<8 | int(c.b[0])
		c.b = c.b[1:]
	}
	return v % n
}

func bits(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

var (
	testHandles  = []string{"", "a", "bc", "pool-1", "x\x00y", "pool-two"}
	testPolicies = []wire.PolicyType{
		wire.PolicyRoundRobin, wire.PolicyWeightedRoundRobin, wire.PolicyRandom,
		wire.PolicyWeightedRandom, wire.PolicyPriority, wire.PolicyLeastUsed,
		wire.PolicyLeastUsedDegradation, wire.PolicyPriorityLeastUsed,
		wire.PolicyRandomizedLeastUsed, wire.PolicyWeightedRandomDPF,
		wire.PolicyLeastUsedDPF, wire.PolicyLeastUsedDegradationDPF,
	}
	testLoads = []uint32{0, 1 << 30, 1 << 31, 3 << 30, 0xFFFFFFFF}
)

// The last handle is the big pool: half of all operations go to it and it
// has room for enough elements to make its indexes several levels deep.
const (
	smallPoolIDs = 12
	bigPoolIDs   = 400
)

// choosePlace chooses a pool handle and an identifier in it.
func (x *tester) choosePlace() place {
	if x.c.intn(2) == 0 {
		return place{handle: testHandles[len(testHandles)-1], id: uint32(1 + x.c.intn(bigPoolIDs))}
	}
	return place{handle: testHandles[x.c.intn(len(testHandles))], id: uint32(1 + x.c.intn(smallPoolIDs))}
}

const testOwners = 3

// tester runs random operations on a handlespace and the model and
// compares them after each one.
type tester struct {
	t  testing.TB
	hs *Handlespace
	m  *model
	c  chooser
}

func newTester(t testing.TB, seed uint64, c chooser) *tester {
	return &tester{
		t:  t,
		hs: New(Options{Seed: seed}),
		m:  &model{now: time.Unix(1_000_000_000, 0), rng: newRand(seed), pools: map[string]*modelPool{}},
		c:  c,
	}
}

func (x *tester) step() {
	switch x.c.intn(12) {
	case 0, 1, 2, 3:
		x.register()
	case 4:
		x.deregister()
	case 5, 6, 7:
		x.resolve()
	case 8:
		x.advance()
	case 9:
		x.armKeepAlive()
	case 10:
		x.stopTimer()
	default:
		x.checkEnumeration()
	}
	x.check()
}

func (x *tester) randomPolicy(typ wire.PolicyType) wire.Policy {
	c := x.c
	return wire.Policy{
		Type:            typ,
		Weight:          uint32(c.intn(6)),
		Priority:        uint32(c.intn(4)),
		Load:            testLoads[c.intn(len(testLoads))],
		LoadDegradation: uint32(c.intn(3)) << 28,
		LoadDPF:         uint32(c.intn(3)) << 24,
		WeightDPF:       uint32(c.intn(3)) << 24,
		Distance:        uint32(c.intn(200)),
	}
}

func (x *tester) register() {
	c, m := x.c, x.m
	at := x.choosePlace()
	h := at.handle
	mp := m.pools[h]
	typ := testPolicies[c.intn(len(testPolicies))]
	if mp != nil && c.intn(8) != 0 {
		typ = mp.typ // mostly consistent, sometimes not
	}
	transport := make([]byte, c.intn(48))
	for i := range transport {
		transport[i] = byte(c.intn(256))
	}
	r := Registration{
		Handle: []byte(h), ID: at.id,
		Home: uint32(1 + c.intn(testOwners)), Owner: uint32(1 + c.intn(testOwners)),
		Lifetime: time.Duration(1+c.intn(600)) * time.Second, Transport: transport,
		Policy: x.randomPolicy(typ),
	}
	e, created, err := x.hs.Register(r, m.now)
	if mp != nil && mp.typ != typ {
		var ie *policy.InconsistentError
		if !errors.As(err, &ie) || ie.Pool != mp.typ || ie.Element != typ || e != nil {
			x.t.Fatalf("register %q/%d with %v into a %v pool: %v, %v", h, r.ID, typ, mp.typ, e, err)
		}
		return
	}
	if err != nil {
		x.t.Fatalf("register %q/%d: %v", h, r.ID, err)
	}
	if mp == nil {
		ref, err := policytest.NewPool(typ, 0)
		if err != nil {
			x.t.Fatal(err)
		}
		mp = &modelPool{typ: typ, ref: ref, elems: map[uint32]*modelElem{}}
		m.pools[h] = mp
	}
	me := mp.elems[r.ID]
	if created != (me == nil) {
		x.t.Fatalf("register %q/%d: created = %v, want %v", h, r.ID, created, me == nil)
	}
	if me == nil {
		me = &modelElem{registered: m.now, timers: map[TimerKind]time.Time{}}
		mp.elems[r.ID] = me
		mp.ref.Add(r.ID, r.Policy)
	} else {
		mp.ref.Update(r.ID, r.Policy)
	}
	me.reg = r
	me.reg.Transport = bytes.Clone(transport)
	me.updated = m.now
	me.timers[Expiry] = m.now.Add(r.Lifetime)
	// The handlespace must have copied the transport.
	for i := range transport {
		transport[i] ^= 0xFF
	}
	x.checkElement(e, place{handle: h, id: r.ID})
}

func (x *tester) deregister() {
	p := x.choosePlace()
	e := x.hs.Deregister([]byte(p.handle), p.id)
	if (e != nil) != (x.m.elem(p) != nil) {
		x.t.Fatalf("deregister %q/%d returned %v, model has %v", p.handle, p.id, e, x.m.elem(p))
	}
	x.m.remove(p)
	if e != nil && x.hs.Remove(e) {
		x.t.Fatalf("removing %q/%d twice succeeded", p.handle, p.id)
	}
}

func (x *tester) resolve() {
	h := x.choosePlace().handle
	n := x.c.intn(6)
	var got, want []uint32
	for _, e := range x.hs.Select([]byte(h), n, nil) {
		got = append(got, e.ID())
	}
	if mp := x.m.pools[h]; mp != nil {
		want = mp.ref.Select(x.m.rng, n)
	}
	if !slices.Equal(got, want) {
		x.t.Fatalf("select %d from %q: got %v, model %v", n, h, got, want)
	}
}

// advance moves time on and plays the registrar: it collects every due
// timer, removes the elements whose Expiry or KeepAliveTimeout fired, and
// answers a due KeepAlive by arming a KeepAliveTimeout.
func (x *tester) advance() {
	m := x.m
	m.now = m.now.Add(time.Duration(x.c.intn(10_000)) * time.Millisecond)
	var got, want []place
	var fired []Timer
	for {
		t, ok := x.hs.PopDue(m.now)
		if !ok {
			break
		}
		fired = append(fired, t)
		got = append(got, place{t.Element.Handle(), t.Element.ID(), t.Kind})
	}
	for _, p := range m.places() {
		me := m.elem(p)
		for k, at := range me.timers {
			if !at.After(m.now) {
				want = append(want, place{p.handle, p.id, k})
				delete(me.timers, k)
			}
		}
	}
	slices.SortFunc(got, comparePlaces)
	slices.SortFunc(want, comparePlaces)
	if !slices.Equal(got, want) {
		x.t.Fatalf("at %v due %v, model %v", m.now, got, want)
	}
	for _, t := range fired {
		if t.Kind != KeepAlive {
			x.hs.Remove(t.Element)
			m.remove(place{handle: t.Element.Handle(), id: t.Element.ID()})
		}
	}
	for _, t := range fired {
		p := place{handle: t.Element.Handle(), id: t.Element.ID()}
		if me := m.elem(p); t.Kind == KeepAlive && me != nil {
			x.hs.SetTimer(t.Element, KeepAliveTimeout, m.now.Add(2*time.Second))
			me.timers[KeepAliveTimeout] = m.now.Add(2 * time.Second)
		}
	}
}

// pick chooses an element present in both, or reports false.
func (x *tester) pick() (*PoolElement, *modelElem, bool) {
	ps := x.m.places()
	if len(ps) == 0 {
		return nil, nil, false
	}
	p := ps[x.c.intn(len(ps))]
	return x.hs.Lookup([]byte(p.handle), p.id), x.m.elem(p), true
}

func (x *tester) armKeepAlive() {
	if e, me, ok := x.pick(); ok {
		at := x.m.now.Add(time.Duration(x.c.intn(40_000)) * time.Millisecond)
		x.hs.SetTimer(e, KeepAlive, at)
		me.timers[KeepAlive] = at
	}
}

func (x *tester) stopTimer() {
	if e, me, ok := x.pick(); ok {
		k := TimerKind(x.c.intn(timerKinds))
		x.hs.StopTimer(e, k)
		delete(me.timers, k)
	}
}

// checkEnumeration walks the table in chunks of random size, resuming each
// from the cursor after the last element of the previous one.
func (x *tester) checkEnumeration() {
	chunk := 1 + x.c.intn(10)
	var got []place
	var cur Cursor
	for {
		n := 0
		for e := range x.hs.Elements(cur) {
			got = append(got, place{handle: e.Handle(), id: e.ID()})
			cur = e.After()
			if n++; n == chunk {
				break
			}
		}
		if n < chunk {
			break
		}
	}
	if want := x.m.places(); !slices.Equal(got, want) {
		x.t.Fatalf("enumeration in chunks of %d: %v, model %v", chunk, got, want)
	}
}

// check compares everything the handlespace exposes with the model.
func (x *tester) check() {
	hs, m := x.hs, x.m
	var pools []string
	for p := range hs.Pools() {
		pools = append(pools, p.Handle())
		mp := m.pools[p.Handle()]
		if mp == nil || p.Policy() != mp.typ || p.Len() != len(mp.elems) {
			x.t.Fatalf("pool %q: %v with %d elements, model %+v", p.Handle(), p.Policy(), p.Len(), mp)
		}
	}
	if want := slices.Sorted(maps.Keys(m.pools)); !slices.Equal(pools, want) {
		x.t.Fatalf("pools %q, model %q", pools, want)
	}
	places := m.places()
	if hs.Len() != len(places) {
		x.t.Fatalf("Len %d, model %d", hs.Len(), len(places))
	}
	var next time.Time
	for _, p := range places {
		x.checkElement(hs.Lookup([]byte(p.handle), p.id), p)
		for _, at := range m.elem(p).timers {
			if next.IsZero() || at.Before(next) {
				next = at
			}
		}
	}
	if t, ok := hs.NextDeadline(); ok != !next.IsZero() || !t.At.Equal(next) {
		x.t.Fatalf("next deadline %v %v, model %v", t.At, ok, next)
	}
	for owner := uint32(1); owner <= testOwners; owner++ {
		want := m.naiveChecksum(owner)
		if got, full := hs.Checksum(owner), hs.RecomputeChecksum(owner); got != want || full != want {
			x.t.Fatalf("checksum of %d: incremental %#04x, recomputed %#04x, model %#04x", owner, got, full, want)
		}
		n := 0
		for _, p := range places {
			if m.elem(p).reg.Owner == owner {
				n++
			}
		}
		if hs.Owned(owner) != n {
			x.t.Fatalf("owner %d owns %d, model %d", owner, hs.Owned(owner), n)
		}
	}
}

func (x *tester) checkElement(e *PoolElement, p place) {
	me := x.m.elem(p)
	if e == nil {
		x.t.Fatalf("%q/%d missing", p.handle, p.id)
	}
	r := me.reg
	if e.Handle() != p.handle || e.ID() != p.id || e.Home() != r.Home || e.Owner() != r.Owner ||
		e.Lifetime() != r.Lifetime || !e.Registered().Equal(me.registered) || !e.Updated().Equal(me.updated) ||
		!e.Expires().Equal(me.updated.Add(r.Lifetime)) || !bytes.Equal(e.Transport(), r.Transport) ||
		e.Policy() != r.Policy {
		x.t.Fatalf("%q/%d differs from the model:\n%+v\n%+v", p.handle, p.id, e, me)
	}
	for k := range TimerKind(timerKinds) {
		at, ok := x.hs.Deadline(e, k)
		want, armed := me.timers[k]
		if ok != armed || !at.Equal(want) {
			x.t.Fatalf("%q/%d timer %v: %v %v, model %v %v", p.handle, p.id, k, at, ok, want, armed)
		}
	}
}

func TestAgainstModel(t *testing.T) {
	for seed := range uint64(6) {
		x := newTester(t, seed, randChooser{rand.New(rand.NewPCG(seed, 77))})
		biggest := 0
		for range 4000 {
			x.step()
			if p := x.hs.Pool([]byte(testHandles[len(testHandles)-1])); p != nil {
				biggest = max(biggest, p.Len())
			}
		}
		if biggest <= 2*maxFill {
			t.Errorf("seed %d: the big pool peaked at %d elements, too few for a multi-level index", seed, biggest)
		}
	}
}

func FuzzAgainstModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add(bytes.Repeat([]byte{0, 0, 1, 7, 1, 1, 3, 9, 2, 4, 0}, 40))
	f.Add(bytes.Repeat([]byte{2, 3, 200, 1, 5, 6, 120, 4, 3, 9, 8}, 60))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &byteChooser{b: data}
		x := newTester(t, 1, c)
		for !c.done {
			x.step()
		}
	})
}
