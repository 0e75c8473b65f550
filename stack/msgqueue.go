package stack

import "iter"

// msgQueue holds the messages the loop took from SendMsg and has not cut
// into chunks yet, as the batches SendMsg filled: a round takes the
// batch whole instead of appending its messages to one array. Under a
// bulk sender the queue is never empty when the next batch comes (the
// congestion window holds the rest back), and that append, a copy of
// every message, plus the clearing of the batch behind it, took 2.3% of
// the client's CPU at 1000-byte messages. A batch drained by pop, cleared
// message by message on the way, goes back to SendMsg for its next
// messages while the cache still holds it.
type msgQueue struct {
	batches [][]outMsg // batches[first][head] is the queue head
	first   int
	head    int
	n       int        // messages queued
	spare   [][]outMsg // drained batches, empty, for take to hand out
}

// maxSpare is how many drained batches wait for SendMsg. A round hands
// out one per batch it takes, and a drained one comes back about as
// often; more would only hold memory.
const maxSpare = 2

// len returns the number of messages queued.
func (q *msgQueue) len() int { return q.n }

// front returns the queue head; the queue must not be empty.
func (q *msgQueue) front() *outMsg { return &q.batches[q.first][q.head] }

// take queues the messages of *msgs, which SendMsg fills, and leaves it a
// drained batch (or nil) to fill next.
func (q *msgQueue) take(msgs *[]outMsg) {
	if len(*msgs) == 0 {
		return
	}
	if q.first > 0 && q.first >= len(q.batches)/2 { // keep the list from growing without end
		n := copy(q.batches, q.batches[q.first:])
		clear(q.batches[n:])
		q.batches, q.first = q.batches[:n], 0
	}
	q.batches = append(q.batches, *msgs)
	q.n += len(*msgs)
	*msgs = nil
	if k := len(q.spare); k > 0 {
		big := 0 // the largest, which SendMsg fills furthest without allocating
		for i := range q.spare {
			if cap(q.spare[i]) > cap(q.spare[big]) {
				big = i
			}
		}
		*msgs = q.spare[big]
		q.spare[big], q.spare[k-1] = q.spare[k-1], nil
		q.spare = q.spare[:k-1]
	}
}

// pop removes the queue head, clearing its slot so that the batch holds
// no message's memory once drained.
func (q *msgQueue) pop() {
	b := q.batches[q.first]
	b[q.head] = outMsg{}
	q.head++
	q.n--
	if q.head < len(b) {
		return
	}
	q.keepSpare(b[:0])
	q.batches[q.first] = nil
	q.first++
	q.head = 0
	if q.first == len(q.batches) {
		q.batches, q.first = q.batches[:0], 0
	}
}

// keepSpare keeps a drained batch for SendMsg, the larger ones when it
// keeps maxSpare already: a batch too small for the messages of a round
// makes SendMsg's append allocate a larger one.
func (q *msgQueue) keepSpare(b []outMsg) {
	if len(q.spare) < maxSpare {
		q.spare = append(q.spare, b)
		return
	}
	small := &q.spare[0]
	for i := range q.spare {
		if cap(q.spare[i]) < cap(*small) {
			small = &q.spare[i]
		}
	}
	if cap(b) > cap(*small) {
		*small = b
	}
}

// all yields the queued messages from the head on.
func (q *msgQueue) all() iter.Seq[*outMsg] {
	return func(yield func(*outMsg) bool) {
		from := q.head
		for _, b := range q.batches[q.first:] {
			for i := from; i < len(b); i++ {
				if !yield(&b[i]) {
					return
				}
			}
			from = 0
		}
	}
}
