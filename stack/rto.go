package stack

import "time"

// rtoCalc computes a path's retransmission timeout from round-trip
// measurements (RFC 9260 section 6.3.1, RFC 6298 constants).
type rtoCalc struct {
	srtt, rttvar, rto time.Duration
	minRTT            time.Duration // the smallest sample, 0 before the first
	measured          bool
	min, max          time.Duration
}

func newRTO(initial, min, max time.Duration) rtoCalc {
	r := rtoCalc{rto: initial, min: min, max: max}
	r.rto = r.clamp(r.rto)
	return r
}

// sample folds in one round-trip measurement (C2 and C3 of section 6.3.1).
func (r *rtoCalc) sample(rtt time.Duration) {
	r.observe(rtt)
	if !r.measured {
		r.srtt, r.rttvar, r.measured = rtt, rtt/2, true
	} else {
		d := r.srtt - rtt
		if d < 0 {
			d = -d
		}
		// RTO.Beta = 1/4, RTO.Alpha = 1/8.
		r.rttvar = r.rttvar - r.rttvar/4 + d/4
		r.srtt = r.srtt - r.srtt/8 + rtt/8
	}
	r.rto = r.measuredRTO()
}

// observe records rtt in the minimum only, leaving SRTT and RTO alone.
func (r *rtoCalc) observe(rtt time.Duration) {
	if rtt > 0 && (r.minRTT == 0 || rtt < r.minRTT) {
		r.minRTT = rtt
	}
}

// measuredRTO is the RTO the measurements give, before any backoff.
func (r *rtoCalc) measuredRTO() time.Duration {
	// G, the clock granularity, is below a microsecond here: rttvar is
	// floored at 1 ms so a perfectly steady RTT does not yield RTO = SRTT.
	return r.clamp(r.srtt + max(4*r.rttvar, time.Millisecond))
}

// backoff doubles the RTO after a timeout (E2 of section 6.3.3).
func (r *rtoCalc) backoff() { r.rto = r.clamp(2 * r.rto) }

func (r *rtoCalc) clamp(d time.Duration) time.Duration {
	return min(max(d, r.min), r.max)
}
