package main

import (
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
	"github.com/mobisctp/mobisctp/encap"
)

// receiver counts what the server's socket reader hands it. The reader
// calls handle; the main goroutine waits.
type receiver struct {
	work  *reader // with -sctp-work; nil otherwise
	mu    sync.Mutex
	count measure.Counter
	ended bool
	end   chan struct{} // closed at the first end marker
}

func newReceiver() *receiver { return &receiver{end: make(chan struct{})} }

// handle is the encap.Handler: it counts the datagrams of a batch up to
// the first empty one, the end marker. The lock is taken once per batch.
func (r *receiver) handle(batch []encap.Datagram) {
	count, bytes, end := 0, 0, false
	for _, d := range batch {
		if len(d.Data) == 0 {
			end = true
			break
		}
		count, bytes = count+1, bytes+len(d.Data)
		if r.work != nil {
			r.work.consume(d)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if count > 0 {
		r.count.Add(count, bytes)
	}
	if end && !r.ended {
		r.ended = true
		close(r.end)
	}
}

// wait returns what was received once an end marker arrived, or once
// nothing arrived for idle after the first datagram.
func (r *receiver) wait(idle time.Duration) measure.Result {
	tick := time.NewTicker(idle)
	defer tick.Stop()
	var last measure.Result
	for {
		select {
		case <-r.end:
			return r.result()
		case <-tick.C:
			now := r.result()
			if now.Messages > 0 && now.Messages == last.Messages {
				return now
			}
			last = now
		}
	}
}

func (r *receiver) result() measure.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count.Result("server")
}
