package congestion

import "github.com/mobisctp/mobisctp/internal/serial"

// Reno is the congestion control of RFC 9260 section 7.2: slow start and
// congestion avoidance (7.2.1, 7.2.2), the cut of a retransmission timeout
// (7.2.3) and fast recovery (7.2.4).
type Reno struct {
	cwnd     int
	ssthresh int
	pba      int // partial_bytes_acked (section 7.2.2)
	// While recovering, no further cuts until recoverTSN is cumulatively
	// acknowledged (section 7.2.4), and the window does not grow.
	recovering bool
	recoverTSN uint32
	// limited records whether the window held the sender back since the
	// last increase.
	limited bool
}

// NewReno returns the controller of a new path whose packets are at most
// mtu bytes.
func NewReno(mtu int) *Reno {
	return &Reno{
		cwnd:     InitialWindow(mtu),
		ssthresh: initialThreshold,
	}
}

// initialThreshold is ssthresh until the first loss: "arbitrarily high"
// (section 7.2.1).
const initialThreshold = 1 << 30

// InitialWindow is min(4*MTU, max(2*MTU, 4404)) (section 7.2.1).
func InitialWindow(mtu int) int { return min(4*mtu, max(2*mtu, 4404)) }

func (r *Reno) Window() int      { return r.cwnd }
func (r *Reno) Threshold() int   { return r.ssthresh }
func (r *Reno) InRecovery() bool { return r.recovering }
func (r *Reno) Limited()         { r.limited = true }

// OnAck ends a recovery once its last TSN is acknowledged, grows the
// window, and forgets the partial bytes once nothing is in flight.
func (r *Reno) OnAck(a Ack) {
	if r.recovering && !serial.Less32(a.CumTSN, r.recoverTSN) {
		r.recovering = false
	}
	r.grow(a)
	if a.FlightAfter == 0 {
		r.pba = 0
	}
}

// grow is slow start and congestion avoidance. Only a SACK that advanced
// the cumulative ack counts, and only while the window was in full use:
// either the flight before the SACK left less than a packet of room, or
// the sender reported being limited since.
func (r *Reno) grow(a Ack) {
	if a.Bytes == 0 || !a.CumAdvanced || r.recovering {
		return
	}
	fullyUsed := a.FlightBefore+a.MTU > r.cwnd || r.limited
	r.limited = false
	if r.cwnd <= r.ssthresh {
		if fullyUsed {
			r.cwnd += min(a.Bytes, a.MTU)
		}
		return
	}
	r.pba += a.Bytes
	if r.pba >= r.cwnd && fullyUsed {
		r.pba -= r.cwnd
		r.cwnd += a.MTU
	}
}

// OnFastRetransmit halves the window (section 7.2.4 step 2).
func (r *Reno) OnFastRetransmit(mtu int, highestSent uint32) bool {
	if r.recovering {
		return false
	}
	r.ssthresh = max(r.cwnd/2, 4*mtu)
	r.cwnd = r.ssthresh
	r.pba = 0
	r.recovering = true
	r.recoverTSN = highestSent
	return true
}

// OnMTURaised gives a path that has lost nothing yet at least the
// initial window of its new packet size (section 7.2.1). The window is
// counted in bytes: a path that started at a 1220-byte base and rose to
// 64 KiB on loopback would otherwise have room for a single packet, and
// a receiver that acknowledges every second packet holds its SACK for
// that one until its delayed-SACK timer (200 ms), round after round of
// slow start. After a loss the window stays what recovery made it.
func (r *Reno) OnMTURaised(mtu int) {
	if r.ssthresh == initialThreshold {
		r.cwnd = max(r.cwnd, InitialWindow(mtu))
	}
}

// OnTimeout leaves one packet of window (section 7.2.3) and ends any
// recovery.
func (r *Reno) OnTimeout(mtu int) {
	r.ssthresh = max(r.cwnd/2, 4*mtu)
	r.cwnd = mtu
	r.pba = 0
	r.recovering = false
}
