// Package eventq delivers events from a goroutine that must never block,
// such as an association's loop, to an application that reads them when
// it likes: a buffered channel that drops its oldest event when full, and
// counts what it dropped, since the newest state matters most.
package eventq

import "sync"

// Queue is a bounded event channel. The zero value is not usable; call
// New.
type Queue[T any] struct {
	mu      sync.Mutex
	ch      chan T
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
	return &Queue[T]{ch: make(chan T, size)}
}

// C returns the channel the application reads; it is closed after the
// last event.
func (q *Queue[T]) C() <-chan T { return q.ch }

// Post queues e, dropping the oldest event if the queue is full. It never
// blocks; after Close it does nothing.
func (q *Queue[T]) Post(e T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
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
		close(q.ch)
	}
}
