package main

import (
	"fmt"
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
	Gained    time.Time // the node's last new address before it recovered (zero: it did not move)
	Confirmed time.Time // a path confirmed again, or the failover completed (zero: never)
	FirstData time.Time // the first message read after the new address (zero: none came)
	Fallback  string    // why the association was given up, if it was
	Failover  bool      // the Conn went on over a new association
	Resent    int       // messages sent again after the failover
	Failed    string    // why the failover failed, if it did
	Settled   *resources
}

// recovery is the time from the new address (or, for a node that did
// not move, from the start of the handover) to the first message read
// after it, or to the recovery (path confirmed, failover complete) when
// no data came; -1 if it did not recover. Measured from what the
// application reads, it is the same yardstick for a re-attach and for a
// failover.
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

func (m *move) recovered() bool { return !m.Confirmed.IsZero() }

// resources are what a node holds, counted to find leaks: the
// association's paths, the process's open UDP sockets and goroutines.
type resources struct {
	Paths      int `json:"paths"`
	UDPSockets int `json:"udp_sockets"` // -1 where the system does not tell
	Goroutines int `json:"goroutines"`
}

func (r *resources) String() string {
	return fmt.Sprintf("paths %d, UDP sockets %d, goroutines %d", r.Paths, r.UDPSockets, r.Goroutines)
}

// countResources counts them; a is the current association (nil while
// failing over: no paths).
func countResources(a *stack.Association) *resources {
	r := &resources{UDPSockets: openUDPSockets(), Goroutines: runtime.NumGoroutine()}
	if a != nil {
		r.Paths = len(a.Paths())
	}
	return r
}

// moveLog turns the node's and the association's events into moves. Its
// methods are safe for concurrent use.
type moveLog struct {
	c      *mobility.Conn // set by follow
	mu     sync.Mutex
	moves  []*move
	timers []*time.Timer
	done   bool
}

// follow starts counting c's moves.
func (l *moveLog) follow(c *mobility.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c = c
}

// note records one event. A move starts with the handover, or, when the
// recovery is a failover, with the fallback.
func (l *moveLog) note(ev mobility.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.current()
	switch ev.Type {
	case mobility.EventHandoverStarted:
		l.moves = append(l.moves, &move{Started: ev.Time})
	case mobility.EventFallback:
		if cur == nil || cur.recovered() {
			cur = &move{Started: ev.Time}
			l.moves = append(l.moves, cur)
		}
		if ev.Err != nil {
			cur.Fallback = ev.Err.Error()
		}
	case mobility.EventAddressGained:
		if cur != nil && !cur.recovered() {
			cur.Gained = ev.Time
		}
	case mobility.EventPathConfirmed, mobility.EventFailoverComplete:
		if cur != nil && !cur.recovered() {
			cur.Confirmed = ev.Time
			l.settle(cur)
		}
		if cur != nil && ev.Type == mobility.EventFailoverComplete {
			cur.Failover, cur.Resent = true, cur.Resent+ev.Resent
		}
	case mobility.EventFailoverFailed:
		if cur != nil && ev.Err != nil {
			cur.Failed = ev.Err.Error()
		}
	}
}

// delivered notes a message read at now: the first after the node's new
// address is the move's first data.
func (l *moveLog) delivered(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.current()
	if cur == nil || !cur.FirstData.IsZero() {
		return
	}
	from := cur.Gained
	if from.IsZero() {
		from = cur.Started
	}
	if now.After(from) && (!cur.Gained.IsZero() || cur.recovered()) {
		cur.FirstData = now
	}
}

func (l *moveLog) current() *move {
	if n := len(l.moves); n > 0 {
		return l.moves[n-1]
	}
	return nil
}

// settle counts the resources settleDelay after m recovered.
func (l *moveLog) settle(m *move) {
	if l.done || l.c == nil {
		return
	}
	c := l.c
	l.timers = append(l.timers, time.AfterFunc(settleDelay, func() {
		r := countResources(c.Association())
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
