// Package congestion is the congestion control of one SCTP path behind a
// small interface: the association asks a path's Controller how much may
// be in flight and tells it what the peer acknowledged and what was lost,
// so that the rules are tested without an association and another
// algorithm can take their place.
package congestion

// Controller is the congestion control of one path. The sender keeps the
// path's flight size itself and reports it with each acknowledgement. MTU
// arguments are the path's current packet size limit, which the MTU search
// may change at any time.
type Controller interface {
	// Window is the congestion window (cwnd) in bytes: new data may be
	// sent while the flight size is below it.
	Window() int
	// Threshold is the slow start threshold (ssthresh) in bytes.
	Threshold() int
	// InRecovery reports whether a fast recovery is under way.
	InRecovery() bool
	// Limited records that the window held back data that was waiting:
	// only a window that limits the sender grows.
	Limited()
	// OnAck applies one SACK's acknowledgement of data sent on the path.
	OnAck(a Ack)
	// OnFastRetransmit cuts the window for a loss found by miss
	// indications, once per loss event: it reports false, changing
	// nothing, while a recovery is under way. highestSent is the highest
	// TSN sent so far; the recovery ends when it is acknowledged.
	OnFastRetransmit(mtu int, highestSent uint32) bool
	// OnTimeout collapses the window after a retransmission timeout.
	OnTimeout(mtu int)
	// OnMTURaised tells that the path's packets may now be mtu bytes,
	// more than before.
	OnMTURaised(mtu int)
}

// Ack is what one SACK acknowledged on a path.
type Ack struct {
	CumTSN       uint32 // the cumulative TSN ack after this SACK
	CumAdvanced  bool   // this SACK moved the cumulative TSN ack
	Bytes        int    // bytes newly acknowledged on this path
	FlightBefore int    // the path's flight size before this SACK
	FlightAfter  int    // and after it
	MTU          int
}
