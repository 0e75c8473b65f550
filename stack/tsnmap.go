package stack

import (
	"sort"

	"github.com/mobisctp/mobisctp/internal/serial"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// tsnMap tracks the TSNs received from the peer: the cumulative TSN and the
// ranges received beyond it, from which SACK gap blocks are built (RFC 9260
// section 6.2), plus the duplicates to report.
type tsnMap struct {
	cum    uint32     // highest TSN received in sequence
	ranges []tsnRange // received beyond cum+1: sorted, disjoint, not touching
	dups   []uint32   // duplicates since the last SACK
}

// tsnRange is an inclusive range of TSNs.
type tsnRange struct{ first, last uint32 }

// maxDups bounds the duplicate list carried in one SACK.
const maxDups = 64

func newTSNMap(initialTSN uint32) tsnMap { return tsnMap{cum: initialTSN - 1} }

// add records tsn and reports whether it is new. Duplicates are noted for
// the next SACK.
func (m *tsnMap) add(tsn uint32) bool {
	if serial.LessEq32(tsn, m.cum) {
		m.noteDup(tsn)
		return false
	}
	if tsn == m.cum+1 {
		m.cum = tsn
		m.absorb()
		return true
	}
	i := sort.Search(len(m.ranges), func(i int) bool { return serial.LessEq32(tsn, m.ranges[i].last+1) })
	switch {
	case i < len(m.ranges) && serial.LessEq32(m.ranges[i].first, tsn) && serial.LessEq32(tsn, m.ranges[i].last):
		m.noteDup(tsn)
		return false
	case i < len(m.ranges) && tsn == m.ranges[i].last+1:
		m.ranges[i].last = tsn
		if i+1 < len(m.ranges) && m.ranges[i+1].first == tsn+1 {
			m.ranges[i].last = m.ranges[i+1].last
			m.ranges = append(m.ranges[:i+1], m.ranges[i+2:]...)
		}
	case i < len(m.ranges) && tsn+1 == m.ranges[i].first:
		m.ranges[i].first = tsn
	default:
		m.ranges = append(m.ranges, tsnRange{})
		copy(m.ranges[i+1:], m.ranges[i:])
		m.ranges[i] = tsnRange{tsn, tsn}
	}
	return true
}

// has reports whether tsn was received.
func (m *tsnMap) has(tsn uint32) bool {
	if serial.LessEq32(tsn, m.cum) {
		return true
	}
	for _, r := range m.ranges {
		if serial.LessEq32(r.first, tsn) && serial.LessEq32(tsn, r.last) {
			return true
		}
	}
	return false
}

// absorb folds the first range into cum once the hole before it is filled.
func (m *tsnMap) absorb() {
	for len(m.ranges) > 0 && m.ranges[0].first == m.cum+1 {
		m.cum = m.ranges[0].last
		m.ranges = m.ranges[1:]
	}
	if len(m.ranges) == 0 {
		m.ranges = shrink(m.ranges[:0:cap(m.ranges)])
	}
}

// forward moves the cumulative TSN to newCum (FORWARD-TSN, RFC 3758),
// dropping ranges it covers.
func (m *tsnMap) forward(newCum uint32) {
	if serial.LessEq32(newCum, m.cum) {
		return
	}
	m.cum = newCum
	for len(m.ranges) > 0 && serial.LessEq32(m.ranges[0].first, newCum+1) {
		if serial.Less32(newCum, m.ranges[0].last) {
			m.cum = m.ranges[0].last
		}
		m.ranges = m.ranges[1:]
	}
	m.absorb()
}

func (m *tsnMap) noteDup(tsn uint32) {
	if len(m.dups) < maxDups {
		m.dups = append(m.dups, tsn)
	}
}

// hasGaps reports whether anything was received out of order.
func (m *tsnMap) hasGaps() bool { return len(m.ranges) > 0 }

// highest returns the highest TSN received.
func (m *tsnMap) highest() uint32 {
	if len(m.ranges) > 0 {
		return m.ranges[len(m.ranges)-1].last
	}
	return m.cum
}

// fillSack writes the cumulative TSN, gap blocks and duplicates into s,
// reusing its slices, and clears the duplicate list. Gap blocks past what
// fits in maxGaps are left out (the peer learns of them later).
func (m *tsnMap) fillSack(s *wire.Sack, maxGaps int) {
	s.CumTSN = m.cum
	s.Gaps = s.Gaps[:0]
	for _, r := range m.ranges {
		if len(s.Gaps) == maxGaps {
			break
		}
		// Offsets relative to cum fit in 16 bits as long as the receive
		// window is below 64 Ki chunks past cum; farther ranges cannot be
		// expressed and are left out.
		start, end := r.first-m.cum, r.last-m.cum
		if end > 0xFFFF {
			break
		}
		s.Gaps = append(s.Gaps, wire.GapBlock{Start: uint16(start), End: uint16(end)})
	}
	s.Dups = append(s.Dups[:0], m.dups...)
	m.dups = m.dups[:0]
}

// padLen rounds n up to a multiple of four, as chunks are padded.
func padLen(n int) int { return (n + 3) &^ 3 }
