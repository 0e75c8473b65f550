// Package eventq delivers events from a goroutine that must never block,
// such as an association's loop, to an application that reads them when
// it likes: a buffered channel that drops its oldest event when full, and
// counts what it dropped, since the newest state matters most.
//
// The channel is made when the application first asks for it. Until then
// events wait in a slice that grows as they come, so that the many
// associations whose events nobody reads (a registrar's) do not each hold
// a channel's whole buffer.
package eventq

import "sync"

// Queue is a bounded event channel. The zero value is not usable; call
// New.
type Queue[T any] struct {
	mu      sync.Mutex
	size    int
	ch      chan T // made by the first call of C
	early   []T    // what was posted before: at most size, oldest first
	dropped uint64
	closed  bool
}

// DefaultSize is the capacity New uses for a size of zero or less.
const DefaultSize = 16

// New returns a queue holding up to size events (DefaultSize if size is
// not positive).
func New[T any](size int) *Queue[T] {
	if size <= 0 {
		size = DefaultSize
	}
	return &Queue[T]{size: size}
}

// C returns the channel the application reads; it is closed after the
// last event.
func (q *Queue[T]) C() <-chan T {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ch == nil {
		q.ch = make(chan T, q.size)
		for _, e := range q.early {
			q.ch <- e
		}
		q.early = nil
		if q.closed {
			close(q.ch)
		}
	}
	return q.ch
}

// Post queues e, dropping the oldest event if the queue is full. It never
// blocks; after Close it does nothing.
func (q *Queue[T]) Post(e T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if q.ch == nil {
		if len(q.early) == q.size {
			clear(q.early[:1])
			q.early = q.early[1:]
			q.dropped++
		}
		q.early = append(q.early, e)
		return
	}
	for {
		select {
		case q.ch <- e:
			return
		default:
		}
		select {
		case <-q.ch:
			q.dropped++
		default:
		}
	}
}

// Dropped returns how many events were dropped.
func (q *Queue[T]) Dropped() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}

// Close closes the channel; events posted later are discarded.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		if q.ch != nil {
			close(q.ch)
		}
	}
}
