package stack

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// output combines the sends of an endpoint's associations. Each
// association's flush used to make its own SendBatch: a registrar that
// answers 32 pool users made 32 system calls where one could carry all
// the answers (encap's BenchmarkRequestResponse, raw UDP with 32 clients,
// took 23 instead of 17.5 µs of CPU per answer when the server sent its
// answers one per call instead of one call per read batch).
//
// The flush that finds no other one sending leads: on an endpoint with
// more than one association it first yields to the goroutines that are
// ready to run (the associations' loops and their applications woken by
// the same received batch), which queue their packets behind it instead
// of sending, then it sends its own packets and the queued ones in one
// SendBatch, and again what was queued meanwhile, until the queue is
// empty. Packets of one association therefore leave in the order its
// flushes made them. The socket reader, which runs the rounds of a read
// batch's associations one after the other on its own goroutine, leads
// for all of them (hold): their packets leave together once the batch is
// done. A lone association sends at once, as before. The
// price: while others keep queueing, the leader's own loop waits
// (BenchmarkMultiAssoc, 16 and 256 associations on one server endpoint:
// throughput unchanged within the noise of two alternating runs).
//
// Queued packets are copied, so that every flush may reuse its buffers,
// and its association release the payloads they refer to, as soon as it
// returns. The OS's refusals of queued packets go to the
// owning association's loop, which counts them as its own would be.
type output struct {
	conn   PacketConn
	assocs atomic.Int32 // registered associations: more than one gathers

	sends, packets, gathered atomic.Uint64 // for EndpointStats

	mu      sync.Mutex
	leading bool      // a flush is sending: others queue behind it
	queue   *outQueue // what waits for the leader
	pool    sync.Pool // of *outQueue
}

// outQueue is packets of several associations, copied into one block.
type outQueue struct {
	data   []byte
	dgs    []encap.Datagram
	owners []*Association
}

// add copies ds, the packets of a, into q, each in one piece: their
// pieces in a's send buffer are a's to release once this flush returns.
func (q *outQueue) add(a *Association, ds []encap.Datagram) {
	for _, d := range ds {
		start := len(q.data)
		q.data = d.AppendTo(q.data)
		d.Data, d.Rest = q.data[start:len(q.data):len(q.data)], nil
		q.dgs = append(q.dgs, d)
		q.owners = append(q.owners, a)
	}
}

func (q *outQueue) reset() {
	q.data = q.data[:0]
	clear(q.dgs)
	q.dgs = q.dgs[:0]
	clear(q.owners)
	q.owners = q.owners[:0]
}

// send sends ds, a's packets, or queues them behind the flush that leads.
// It returns the errors of a's own packets; refusals of a's packets that
// another flush sent reach a through its inbox.
func (o *output) send(a *Association, ds []encap.Datagram) error {
	o.mu.Lock()
	if o.leading {
		o.take().add(a, ds)
		o.mu.Unlock()
		return nil
	}
	o.leading = true
	o.mu.Unlock()
	if o.assocs.Load() > 1 {
		runtime.Gosched()
	}
	err := o.lead(a, ds)
	o.sendRest()
	return err
}

// sendRest sends what queued behind the leader, until nothing does, and
// ends its lead.
func (o *output) sendRest() {
	for {
		o.mu.Lock()
		q := o.queue
		if q == nil || len(q.dgs) == 0 {
			o.leading = false
			o.mu.Unlock()
			return
		}
		o.queue = nil
		o.mu.Unlock()
		o.sendQueued(q, nil, nil)
	}
}

// hold makes the caller the leader without packets of its own, if the
// endpoint has more than one association and no flush leads: the flushes
// that follow queue behind it until it calls sendRest. The socket reader
// holds the output while the rounds of its batch run on its goroutine
// one after the other (see received.deliver), which would otherwise each
// make a system call of their own: nothing runs beside them to gather.
func (o *output) hold() bool {
	if o.assocs.Load() < 2 {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.leading {
		return false
	}
	o.leading = true
	return true
}

// take returns the queue, making one if there is none. Call with o.mu
// held.
func (o *output) take() *outQueue {
	if o.queue == nil {
		q, _ := o.pool.Get().(*outQueue)
		if q == nil {
			q = &outQueue{}
		}
		o.queue = q
	}
	return o.queue
}

// lead sends the leader's own packets together with what was queued while
// it yielded.
func (o *output) lead(a *Association, ds []encap.Datagram) error {
	o.mu.Lock()
	q := o.queue
	o.queue = nil
	o.mu.Unlock()
	if q == nil {
		return o.sendBatch(ds)
	}
	return o.sendQueued(q, a, ds)
}

// sendQueued sends own (a's packets) and then q's in one SendBatch, hands
// the refusals of q's packets to their owners, and returns the errors of
// own.
func (o *output) sendQueued(q *outQueue, a *Association, own []encap.Datagram) error {
	n := len(own)
	if n > 0 {
		// own go first: a's flush came before those that queued behind
		// it. The headers move; the payloads stay where they are.
		q.dgs = append(q.dgs, own...)
		copy(q.dgs[n:], q.dgs)
		copy(q.dgs, own)
	}
	o.gathered.Add(uint64(len(q.dgs) - n))
	err := o.sendBatch(q.dgs)
	var mine []error
	if err != nil {
		mine = o.route(q, n, err)
	}
	q.reset()
	o.pool.Put(q)
	return errors.Join(mine...)
}

// sendBatch hands ds to the connection and counts them.
func (o *output) sendBatch(ds []encap.Datagram) error {
	o.sends.Add(1)
	o.packets.Add(uint64(len(ds)))
	return o.conn.SendBatch(ds)
}

// route hands each refusal in err to the association whose packet it
// was, and returns those of the first n packets (the caller's own) and
// any error that names no packet.
func (o *output) route(q *outQueue, n int, err error) []error {
	var mine []error
	for _, e := range flatten(err, nil) {
		var se *encap.SendError
		i := -1
		if errors.As(e, &se) {
			i = q.find(se)
		}
		if i < n {
			mine = append(mine, e) // own, or for no packet in particular
			continue
		}
		owner := q.owners[i-n]
		owner.post(func(now time.Time) {
			owner.stats.SendErrors++
			owner.sendsRefused(now, collectRefusals(nil, se))
		})
	}
	return mine
}

// find returns the index in q.dgs of the packet se refused, or -1.
func (q *outQueue) find(se *encap.SendError) int {
	for i, d := range q.dgs {
		if d.Remote == se.Remote && (d.Local.Addr() == se.Local.Addr() || !d.Local.Addr().IsValid()) {
			return i
		}
	}
	return -1
}

// flatten lists the errors joined in err.
func flatten(err error, into []error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			into = flatten(e, into)
		}
		return into
	}
	return append(into, err)
}
