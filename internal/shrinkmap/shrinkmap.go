// Package shrinkmap is a map that gives its memory back. A Go map never
// shrinks: after a flood of a million entries is deleted, it still holds
// the buckets for a million. Map rebuilds itself at its current size once
// it has dropped far below the largest size it had, so a registrar that was
// flooded returns to the memory of its steady state.
package shrinkmap

import (
	"iter"
	"maps"
)

// Below minPeak entries a map is not worth rebuilding.
const minPeak = 1024

// Map is a map from K to V. The zero value is an empty map ready to use.
type Map[K comparable, V any] struct {
	m    map[K]V
	peak int // most entries since the last rebuild
}

// Get returns the value of k and whether it is present.
func (s *Map[K, V]) Get(k K) (V, bool) {
	v, ok := s.m[k]
	return v, ok
}

// Set sets the value of k.
func (s *Map[K, V]) Set(k K, v V) {
	if s.m == nil {
		s.m = map[K]V{}
	}
	s.m[k] = v
	s.peak = max(s.peak, len(s.m))
}

// Delete removes k, and rebuilds the map once fewer than an eighth of its
// peak entries are left: a rebuild copies what is left, so its cost is
// spread over the deletions that made it worthwhile.
func (s *Map[K, V]) Delete(k K) {
	delete(s.m, k)
	if s.peak >= minPeak && len(s.m) < s.peak/8 {
		s.rebuild()
	}
}

// rebuild copies the entries into a map sized for them. Not maps.Clone:
// that copies the tables at their old size.
func (s *Map[K, V]) rebuild() {
	m := make(map[K]V, len(s.m))
	maps.Copy(m, s.m)
	s.m, s.peak = m, len(m)
}

// Len returns the number of entries.
func (s *Map[K, V]) Len() int { return len(s.m) }

// All yields the entries in no particular order. The map must not change
// during the loop.
func (s *Map[K, V]) All() iter.Seq2[K, V] { return maps.All(s.m) }
