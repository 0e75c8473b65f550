package simnet

// fifo is a first-in first-out queue on a ring buffer, so that a socket's
// receive queue reuses its memory instead of reallocating as it drains.
type fifo[T any] struct {
	buf  []T
	head int // index of the oldest element
	n    int // number of elements
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) push(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = v
	q.n++
}

// peek returns the oldest element; the queue must not be empty.
func (q *fifo[T]) peek() T { return q.buf[q.head] }

// pop removes and returns the oldest element; the queue must not be empty.
func (q *fifo[T]) pop() T {
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero // let the garbage collector have it
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return v
}

// grow doubles the capacity, moving the elements to the front in order.
func (q *fifo[T]) grow() {
	buf := make([]T, max(2*len(q.buf), 16))
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf, q.head = buf, 0
}
