package handlespace

import "time"

// timerHeap is a binary min-heap of the armed timers of all elements. Each
// element remembers where its timers sit, so a timer is re-armed or stopped
// in O(log n) without a search.
type timerHeap []Timer

func (h *timerHeap) set(e *PoolElement, k TimerKind, at time.Time) {
	if i := e.timers[k] - 1; i >= 0 {
		(*h)[i].At = at
		h.fix(int(i))
		return
	}
	*h = append(*h, Timer{Element: e, Kind: k, At: at})
	h.moved(len(*h) - 1)
	h.up(len(*h) - 1)
}

func (h *timerHeap) stop(e *PoolElement, k TimerKind) {
	if i := e.timers[k] - 1; i >= 0 {
		h.removeAt(int(i))
	}
}

func (h *timerHeap) stopAll(e *PoolElement) {
	for k := range TimerKind(timerKinds) {
		h.stop(e, k)
	}
}

func (h timerHeap) deadline(e *PoolElement, k TimerKind) (time.Time, bool) {
	if i := e.timers[k] - 1; i >= 0 {
		return h[i].At, true
	}
	return time.Time{}, false
}

func (h *timerHeap) removeAt(i int) {
	old := (*h)[i]
	last := len(*h) - 1
	h.swap(i, last)
	(*h)[last] = Timer{} // the backing array must not keep the element alive
	*h = (*h)[:last]
	old.Element.timers[old.Kind] = 0
	if i < last {
		h.fix(i)
	}
	h.shrink()
}

// minShrink is the capacity below which the heap's array is kept as is.
const minShrink = 1024

// shrink gives back the array of a heap that has emptied to a small part of
// its capacity, as after a flood of registrations went away; positions stay
// valid, since the order is kept.
func (h *timerHeap) shrink() {
	if c := cap(*h); c >= minShrink && len(*h) < c/8 {
		*h = append(make(timerHeap, 0, 2*len(*h)), *h...)
	}
}

func (h timerHeap) fix(i int) {
	if !h.up(i) {
		h.down(i)
	}
}

// up sifts i towards the root and reports whether it moved.
func (h timerHeap) up(i int) bool {
	start := i
	for i > 0 {
		parent := (i - 1) / 2
		if !h[i].At.Before(h[parent].At) {
			break
		}
		h.swap(i, parent)
		i = parent
	}
	return i != start
}

func (h timerHeap) down(i int) {
	for {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) && h[c].At.Before(h[least].At) {
				least = c
			}
		}
		if least == i {
			return
		}
		h.swap(i, least)
		i = least
	}
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h.moved(i)
	h.moved(j)
}

// moved records in its element where the timer at i now sits.
func (h timerHeap) moved(i int) { h[i].Element.timers[h[i].Kind] = int32(i) + 1 }
