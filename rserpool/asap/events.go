package asap

import "sync"

// defaultEventQueue is the capacity of an event channel.
const defaultEventQueue = 16

// eventQueue delivers events without ever blocking the goroutine that
// posts them: when the application does not read them, the oldest are
// dropped, since the newest state matters most.
type eventQueue[T any] struct {
	mu     sync.Mutex
	ch     chan T
	closed bool
}

func newEventQueue[T any](size int) *eventQueue[T] {
	if size <= 0 {
		size = defaultEventQueue
	}
	return &eventQueue[T]{ch: make(chan T, size)}
}

func (q *eventQueue[T]) post(e T) {
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
		default:
		}
	}
}

// close closes the channel after the last event.
func (q *eventQueue[T]) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}
