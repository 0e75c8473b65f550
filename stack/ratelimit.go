package stack

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket, used to bound the ABORTs sent in answer to
// out-of-the-blue packets so the endpoint cannot be used as a reflector.
type rateLimiter struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

const (
	ootbRate  = 100 // answers per second
	ootbBurst = 20
)

func (r *rateLimiter) allow(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last.IsZero() {
		r.tokens = ootbBurst
	} else {
		r.tokens = min(ootbBurst, r.tokens+now.Sub(r.last).Seconds()*ootbRate)
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}
