package stack

import (
	"math/rand/v2"

	"github.com/mobisctp/mobisctp/internal/serial"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestTSNMapGaps(t *testing.T) {
	m := newTSNMap(100)
	for _, tsn := range []uint32{100, 101, 104, 105, 107, 103} {
		if !m.add(tsn) {
			t.Fatalf("add(%d) reported a duplicate", tsn)
		}
	}
	if m.add(104) || m.add(99) {
		t.Fatal("duplicate not detected")
	}
	var s wire.Sack
	m.fillSack(&s, 100)
	if s.CumTSN != 101 {
		t.Errorf("cum = %d, want 101", s.CumTSN)
	}
	want := []wire.GapBlock{{Start: 2, End: 4}, {Start: 6, End: 6}}
	if len(s.Gaps) != 2 || s.Gaps[0] != want[0] || s.Gaps[1] != want[1] {
		t.Errorf("gaps = %v, want %v", s.Gaps, want)
	}
	if len(s.Dups) != 2 || s.Dups[0] != 104 || s.Dups[1] != 99 {
		t.Errorf("dups = %v", s.Dups)
	}
	m.add(102)
	m.add(106)
	m.fillSack(&s, 100)
	if s.CumTSN != 107 || len(s.Gaps) != 0 || len(s.Dups) != 0 {
		t.Errorf("after filling: %+v", s)
	}
}

func TestTSNMapWrapAndForward(t *testing.T) {
	m := newTSNMap(0xFFFFFFFE)
	m.add(0xFFFFFFFE)
	m.add(1)
	if m.cum != 0xFFFFFFFE || !m.has(1) || m.has(0) || m.highest() != 1 {
		t.Fatalf("cum %#x has(1) %v", m.cum, m.has(1))
	}
	m.add(0xFFFFFFFF)
	m.add(0)
	if m.cum != 1 || m.hasGaps() {
		t.Fatalf("cum = %#x, gaps %v", m.cum, m.ranges)
	}
	m.add(5)
	m.add(9)
	m.forward(6)
	if m.cum != 6 || len(m.ranges) != 1 || m.ranges[0] != (tsnRange{9, 9}) {
		t.Fatalf("forward: cum %d ranges %v", m.cum, m.ranges)
	}
	m.forward(8)
	if m.cum != 9 || m.hasGaps() {
		t.Fatalf("forward into a range: cum %d ranges %v", m.cum, m.ranges)
	}
}

// TestTSNMapModel checks random arrival orders against a plain set.
func TestTSNMapModel(t *testing.T) {
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 1))
		base := r.Uint32()
		m := newTSNMap(base)
		seen := map[uint32]bool{}
		for range 400 {
			tsn := base + uint32(r.IntN(300))
			isNew := m.add(tsn)
			if isNew == seen[tsn] {
				t.Fatalf("seed %d: add(%d) new=%v, model says seen=%v", seed, tsn-base, isNew, seen[tsn])
			}
			seen[tsn] = true
		}
		cum := base - 1
		for seen[cum+1] {
			cum++
		}
		if m.cum != cum {
			t.Fatalf("seed %d: cum %d, model %d", seed, m.cum-base, cum-base)
		}
		for off := range uint32(300) {
			if m.has(base+off) != seen[base+off] {
				t.Fatalf("seed %d: has(%d) disagrees", seed, off)
			}
		}
		for i := 1; i < len(m.ranges); i++ {
			if serial.LessEq32(m.ranges[i].first, m.ranges[i-1].last+1) {
				t.Fatalf("seed %d: ranges overlap or touch: %v", seed, m.ranges)
			}
		}
	}
}
