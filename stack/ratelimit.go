package stack

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket. The endpoint uses one to bound the ABORTs
// sent in answer to out-of-the-blue packets, so that it cannot be used as
// a reflector, and one to bound the HEARTBEATs sent to unconfirmed peer
// addresses, which a peer chooses and need not own.
type rateLimiter struct {
	mu          sync.Mutex
	rate, burst float64 // tokens per second, bucket size
	tokens      float64
	last        time.Time
}

const (
	ootbRate  = 100 // answers per second
	ootbBurst = 20
)

func newRateLimiter(rate, burst float64) *rateLimiter {
	return &rateLimiter{rate: rate, burst: burst}
}

func (r *rateLimiter) allow(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last.IsZero() {
		r.tokens = r.burst
	} else {
		r.tokens = min(r.burst, r.tokens+now.Sub(r.last).Seconds()*r.rate)
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}
