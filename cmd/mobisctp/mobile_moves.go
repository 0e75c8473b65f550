package main

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/stack"
)

// settleDelay is how long after a move's path is confirmed the node
// counts its paths, UDP sockets and goroutines: long enough for the
// old address's socket to be gone and the handover's helpers to end,
// short enough to come before the next move of a test.
const settleDelay = time.Second

// move is one handover of the mobile association, as its events tell it.
type move struct {
	Started   time.Time // no confirmed path left
	Gained    time.Time // the node's last new address before the path was confirmed (zero: it did not move)
	Confirmed time.Time // a path confirmed again (zero: never)
	FirstData time.Time // the first data after the move (zero: none came)
	Fallback  string    // why the association was given up, if it was
	Settled   *resources
}

// recovery is the time from the new address (or, for a node that did
// not move, from the start of the handover) to the first data after the
// move, or to the path's confirmation when no data came; -1 if it did
// not recover.
func (m *move) recovery() time.Duration {
	end := m.FirstData
	if end.IsZero() {
		end = m.Confirmed
	}
	from := m.Gained
	if from.IsZero() {
		from = m.Started
	}
	if end.IsZero() {
		return -1
	}
	return end.Sub(from)
}

// resources are what a node holds, counted to find leaks: the
// association's paths, the process's open UDP sockets and goroutines.
type resources struct {
	Paths      int `json:"paths"`
	UDPSockets int `json:"udp_sockets"` // -1 where the system does not tell
	Goroutines int `json:"goroutines"`
}

func countResources(a *stack.Association) *resources {
	return &resources{Paths: len(a.Paths()), UDPSockets: openUDPSockets(), Goroutines: runtime.NumGoroutine()}
}

// moveLog turns the node's and the association's events into moves. Its
// methods are safe for concurrent use.
type moveLog struct {
	a      *stack.Association // set by follow
	mu     sync.Mutex
	moves  []*move
	timers []*time.Timer
	done   bool
}

// follow starts counting a's moves.
func (l *moveLog) follow(a *stack.Association) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.a = a
}

// note records one event.
func (l *moveLog) note(ev mobility.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var cur *move
	if n := len(l.moves); n > 0 {
		cur = l.moves[n-1]
	}
	switch ev.Type {
	case mobility.EventHandoverStarted:
		l.moves = append(l.moves, &move{Started: ev.Time})
	case mobility.EventAddressGained:
		if cur != nil && cur.Confirmed.IsZero() {
			cur.Gained = ev.Time
		}
	case mobility.EventPathConfirmed:
		if cur != nil && cur.Confirmed.IsZero() {
			cur.Confirmed = ev.Time
			l.settle(cur)
		}
	case mobility.EventFirstData:
		if cur != nil && cur.FirstData.IsZero() {
			cur.FirstData = ev.Time
		}
	case mobility.EventFallback:
		if cur != nil && ev.Err != nil {
			cur.Fallback = ev.Err.Error()
		}
	}
}

// settle counts the resources settleDelay after m recovered.
func (l *moveLog) settle(m *move) {
	if l.done || l.a == nil {
		return
	}
	a := l.a
	l.timers = append(l.timers, time.AfterFunc(settleDelay, func() {
		r := countResources(a)
		l.mu.Lock()
		defer l.mu.Unlock()
		if !l.done {
			m.Settled = r
		}
	}))
}

// stop ends the counting and returns the moves.
func (l *moveLog) stop() []*move {
	l.mu.Lock()
	l.done = true
	timers := l.timers
	l.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.moves)
}
