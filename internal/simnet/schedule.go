package simnet

import "time"

// A flight is a copy of a datagram in flight, keyed by its arrival time. seq
// breaks ties in sending order, so datagrams due at the same instant arrive
// in the order they were sent, whatever the heap's shape.
type flight struct {
	due time.Duration // arrival, as an offset from the network's epoch
	seq uint64
	p   *packet
}

func (f flight) before(g flight) bool {
	return f.due < g.due || f.due == g.due && f.seq < g.seq
}

// schedule is a binary min-heap of flights. It is written out rather than
// built on container/heap, whose interface{} Push would allocate for every
// datagram.
type schedule []flight

func (s schedule) len() int { return len(s) }

// next returns the earliest flight; the schedule must not be empty.
func (s schedule) next() flight { return s[0] }

func (s *schedule) push(f flight) {
	*s = append(*s, f)
	s.up(len(*s) - 1)
}

// pop removes and returns the earliest flight; the schedule must not be empty.
func (s *schedule) pop() flight {
	h := *s
	f := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = flight{}
	*s = h[:last]
	s.down(0)
	return f
}

func (s schedule) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !s[i].before(s[parent]) {
			return
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (s schedule) down(i int) {
	for {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(s) && s[c].before(s[least]) {
				least = c
			}
		}
		if least == i {
			return
		}
		s[i], s[least] = s[least], s[i]
		i = least
	}
}
